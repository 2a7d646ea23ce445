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
 */
public record TrainingConfig(
        LossConfig loss,
        double learningRate,
        double beta1,
        double beta2,
        double gradientClipNorm,
        boolean augment,
        long seed) implements Serializable {

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
    }

    /** Monodepth2's settings: its loss, Adam 1e-4 (0.9, 0.999), no clipping, augmentation on. */
    public static TrainingConfig monodepth2(long seed) {
        return new TrainingConfig(LossConfig.monodepth2(), 1e-4, 0.9, 0.999, 0, true, seed);
    }

    /** This configuration with other loss settings. */
    public TrainingConfig withLoss(LossConfig settings) {
        return new TrainingConfig(settings, learningRate, beta1, beta2, gradientClipNorm, augment, seed);
    }

    /** This configuration with another learning rate. */
    public TrainingConfig withLearningRate(double rate) {
        return new TrainingConfig(loss, rate, beta1, beta2, gradientClipNorm, augment, seed);
    }

    /** This configuration with augmentation on or off. */
    public TrainingConfig withAugmentation(boolean on) {
        return new TrainingConfig(loss, learningRate, beta1, beta2, gradientClipNorm, on, seed);
    }

    /** This configuration with gradient clipping at {@code norm} (0 = off). */
    public TrainingConfig withGradientClipNorm(double norm) {
        return new TrainingConfig(loss, learningRate, beta1, beta2, norm, augment, seed);
    }
}
