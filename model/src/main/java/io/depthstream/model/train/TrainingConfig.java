package io.depthstream.model.train;

import java.io.Serializable;

/**
 * How training steps are taken.
 *
 * @param loss the objective's settings: photometric terms (their depth range is replaced by the model's) and the
 *     optional triplet terms
 * @param learningRate Adam's initial learning rate (monodepth2: 1e-4; fine-tuning a trained model: 1e-5)
 * @param beta1 Adam β1 (0.9)
 * @param beta2 Adam β2 (0.999)
 * @param gradientClipNorm global L2 norm the gradients are scaled down to when larger; 0 turns clipping off
 * @param augment draw monodepth2's colour jitter and flip per sample
 * @param seed seeds augmentation, the auto-mask tie-break noise, the differential triplet rolls and the pretext head
 * @param autoMaskWarmupSteps the first steps (step numbers below it) train with auto-masking off even when the loss
 *     settings have it on; 0 (monodepth2) masks from the first step. From random weights the auto-mask takes the
 *     un-warped source on a large share of the pixels (about 40 % on a synthetic street), which then pass no
 *     gradient to the depth, and the depth network hardly learns; a warm-up of a few hundred steps gets it past
 *     that (docs/TRAINING.md)
 */
public record TrainingConfig(
        LossConfig loss,
        double learningRate,
        double beta1,
        double beta2,
        double gradientClipNorm,
        boolean augment,
        long seed,
        int autoMaskWarmupSteps) implements Serializable {

    public TrainingConfig {
        if (loss == null) {
            throw new IllegalArgumentException("loss settings are required");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        if (!(gradientClipNorm >= 0)) {
            throw new IllegalArgumentException("gradient clip norm must be >= 0, got " + gradientClipNorm);
        }
        if (autoMaskWarmupSteps < 0) {
            throw new IllegalArgumentException("auto-mask warm-up must be >= 0 steps, got " + autoMaskWarmupSteps);
        }
    }

    /** Settings without an auto-mask warm-up. */
    public TrainingConfig(LossConfig loss, double learningRate, double beta1, double beta2, double gradientClipNorm,
                          boolean augment, long seed) {
        this(loss, learningRate, beta1, beta2, gradientClipNorm, augment, seed, 0);
    }

    /** Monodepth2's settings: its loss, Adam 1e-4 (0.9, 0.999), no clipping, augmentation on, no warm-up. */
    public static TrainingConfig monodepth2(long seed) {
        return new TrainingConfig(LossConfig.monodepth2(), 1e-4, 0.9, 0.999, 0, true, seed);
    }

    /** This configuration with other loss settings. */
    public TrainingConfig withLoss(LossConfig settings) {
        return new TrainingConfig(settings, learningRate, beta1, beta2, gradientClipNorm, augment, seed, autoMaskWarmupSteps);
    }

    /** This configuration with another learning rate. */
    public TrainingConfig withLearningRate(double rate) {
        return new TrainingConfig(loss, rate, beta1, beta2, gradientClipNorm, augment, seed, autoMaskWarmupSteps);
    }

    /** This configuration with augmentation on or off. */
    public TrainingConfig withAugmentation(boolean on) {
        return new TrainingConfig(loss, learningRate, beta1, beta2, gradientClipNorm, on, seed, autoMaskWarmupSteps);
    }

    /** This configuration with gradient clipping at {@code norm} (0 = off). */
    public TrainingConfig withGradientClipNorm(double norm) {
        return new TrainingConfig(loss, learningRate, beta1, beta2, norm, augment, seed, autoMaskWarmupSteps);
    }

    /** This configuration with auto-masking off for the first {@code steps} steps. */
    public TrainingConfig withAutoMaskWarmup(int steps) {
        return new TrainingConfig(loss, learningRate, beta1, beta2, gradientClipNorm, augment, seed, steps);
    }
}
