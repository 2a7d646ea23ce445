package io.depthstream.model.online;

import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.TrainingConfig;

import java.io.Serializable;

/**
 * How the online learner trains on a stream and when it lets a candidate replace the serving weights.
 *
 * @param loss the training objective (photometric + smoothness, and any triplet terms; their boundaries are semantic
 *     when every frame of a batch carries a semantic map and label-free otherwise, as {@link LossConfig} says)
 * @param learningRate Adam's learning rate: {@link #FINE_TUNE_LEARNING_RATE} for a trained model,
 *     {@link #FROM_SCRATCH_LEARNING_RATE} for freshly initialised weights
 * @param batchSize triplets per training step
 * @param bufferCapacity triplets waiting for training; when full the oldest is dropped (at least {@code batchSize})
 * @param heldOutCapacity the most recent held-out triplets kept for judging candidates
 * @param heldOutEvery every {@code heldOutEvery}-th accepted triplet goes to the held-out set instead of training
 *     (deterministic, so a replayed stream splits the same way); at least 2
 * @param evaluateEvery applied steps between candidate evaluations
 * @param tolerance relative regression allowed on the held-out loss: a candidate is accepted when its loss is at most
 *     {@code serving · (1 + tolerance)}; 0.02 lets it be 2 % worse (noise of a small held-out set), 0 demands no
 *     regression at all, a negative value demands that much improvement
 * @param augment monodepth2's colour jitter and flip on training batches (never on held-out evaluation)
 * @param seed seeds augmentation, the auto-mask's tie-break noise and the held-out evaluation's noise
 * @param autoMaskWarmupSteps the learner's first steps train with auto-masking off (see
 *     {@link TrainingConfig#autoMaskWarmupSteps()}); held-out judgement always uses the configured loss
 * @param replay 1: every training triplet is trained on once, in arrival order, and the buffer is a queue; more:
 *     the buffer is a replay memory of the last {@code bufferCapacity} triplets, each step draws its batch from it at
 *     random, and each arriving triplet allows {@code replay} more triplet-uses, so that on average a triplet is
 *     trained on {@code replay} times (steps are not bounded by the arrival rate, and batches are not runs of
 *     consecutive, nearly identical frames)
 */
public record OnlineLearnerConfig(
        LossConfig loss,
        double learningRate,
        int batchSize,
        int bufferCapacity,
        int heldOutCapacity,
        int heldOutEvery,
        int evaluateEvery,
        double tolerance,
        boolean augment,
        long seed,
        int autoMaskWarmupSteps,
        int replay) implements Serializable {

    /** Adam's learning rate for fine-tuning trained weights: a tenth of monodepth2's, as in its last epochs. */
    public static final double FINE_TUNE_LEARNING_RATE = 1e-5;
    /** Adam's learning rate for training from freshly initialised weights: monodepth2's. */
    public static final double FROM_SCRATCH_LEARNING_RATE = 1e-4;
    /**
     * Auto-mask warm-up for freshly initialised weights, in steps: without it the depth of a random model hardly
     * improves in the first thousand steps (docs/TRAINING.md, "Training from random weights").
     */
    public static final int FROM_SCRATCH_AUTOMASK_WARMUP = 300;

    public OnlineLearnerConfig {
        if (loss == null) {
            throw new IllegalArgumentException("loss is required");
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be a finite number > 0, got " + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        if (bufferCapacity < batchSize) {
            throw new IllegalArgumentException("bufferCapacity must be at least batchSize (" + batchSize + "), got "
                    + bufferCapacity);
        }
        if (heldOutCapacity < 1) {
            throw new IllegalArgumentException("heldOutCapacity must be at least 1, got " + heldOutCapacity);
        }
        if (heldOutEvery < 2) {
            throw new IllegalArgumentException("heldOutEvery must be at least 2 (1 would hold out every triplet), got "
                    + heldOutEvery);
        }
        if (evaluateEvery < 1) {
            throw new IllegalArgumentException("evaluateEvery must be at least 1, got " + evaluateEvery);
        }
        if (!(tolerance > -1 && tolerance <= 1)) {
            throw new IllegalArgumentException("tolerance must lie in (-1, 1], got " + tolerance);
        }
        if (autoMaskWarmupSteps < 0) {
            throw new IllegalArgumentException("autoMaskWarmupSteps must be >= 0, got " + autoMaskWarmupSteps);
        }
        if (replay < 1) {
            throw new IllegalArgumentException("replay must be at least 1 (1: each triplet once), got " + replay);
        }
    }

    /** Settings without an auto-mask warm-up or replay. */
    public OnlineLearnerConfig(LossConfig loss, double learningRate, int batchSize, int bufferCapacity,
                               int heldOutCapacity, int heldOutEvery, int evaluateEvery, double tolerance,
                               boolean augment, long seed) {
        this(loss, learningRate, batchSize, bufferCapacity, heldOutCapacity, heldOutEvery, evaluateEvery, tolerance,
                augment, seed, 0, 1);
    }

    /** Defaults for fine-tuning trained weights: learning rate {@link #FINE_TUNE_LEARNING_RATE}. */
    public static OnlineLearnerConfig fineTune(LossConfig loss, long seed) {
        return new OnlineLearnerConfig(loss, FINE_TUNE_LEARNING_RATE, 4, 64, 16, 10, 100, 0.02, true, seed);
    }

    /**
     * Defaults for training freshly initialised weights: learning rate {@link #FROM_SCRATCH_LEARNING_RATE}, auto-mask
     * warm-up {@link #FROM_SCRATCH_AUTOMASK_WARMUP}.
     */
    public static OnlineLearnerConfig fromScratch(LossConfig loss, long seed) {
        return fineTune(loss, seed).withLearningRate(FROM_SCRATCH_LEARNING_RATE)
                .withAutoMaskWarmup(FROM_SCRATCH_AUTOMASK_WARMUP);
    }

    /** {@link #fineTune} when the model starts from trained weights, {@link #fromScratch} otherwise. */
    public static OnlineLearnerConfig defaults(boolean trainedWeights, LossConfig loss, long seed) {
        return trainedWeights ? fineTune(loss, seed) : fromScratch(loss, seed);
    }

    /**
     * The regression guard's rule: whether a candidate with held-out loss {@code candidateLoss} may replace a serving
     * version with {@code servingLoss} measured on the same triplets. Never when either is NaN or infinite.
     */
    public boolean accepts(double candidateLoss, double servingLoss) {
        return Double.isFinite(candidateLoss) && Double.isFinite(servingLoss)
                && candidateLoss <= servingLoss * (1 + tolerance);
    }

    /** The settings of the training steps: Adam (0.9, 0.999) at this learning rate, no gradient clipping, its warm-up. */
    public TrainingConfig trainingConfig() {
        return new TrainingConfig(loss, learningRate, 0.9, 0.999, 0, augment, seed, autoMaskWarmupSteps);
    }

    /** This configuration with another learning rate. */
    public OnlineLearnerConfig withLearningRate(double rate) {
        return new OnlineLearnerConfig(loss, rate, batchSize, bufferCapacity, heldOutCapacity, heldOutEvery,
                evaluateEvery, tolerance, augment, seed, autoMaskWarmupSteps, replay);
    }

    /** This configuration with another batch size and training-buffer capacity. */
    public OnlineLearnerConfig withBatch(int size, int capacity) {
        return new OnlineLearnerConfig(loss, learningRate, size, capacity, heldOutCapacity, heldOutEvery,
                evaluateEvery, tolerance, augment, seed, autoMaskWarmupSteps, replay);
    }

    /** This configuration with another held-out capacity and share. */
    public OnlineLearnerConfig withHeldOut(int capacity, int every) {
        return new OnlineLearnerConfig(loss, learningRate, batchSize, bufferCapacity, capacity, every,
                evaluateEvery, tolerance, augment, seed, autoMaskWarmupSteps, replay);
    }

    /** This configuration with other candidate evaluation settings. */
    public OnlineLearnerConfig withEvaluation(int everySteps, double relativeTolerance) {
        return new OnlineLearnerConfig(loss, learningRate, batchSize, bufferCapacity, heldOutCapacity, heldOutEvery,
                everySteps, relativeTolerance, augment, seed, autoMaskWarmupSteps, replay);
    }

    /** This configuration with augmentation on or off. */
    public OnlineLearnerConfig withAugmentation(boolean on) {
        return new OnlineLearnerConfig(loss, learningRate, batchSize, bufferCapacity, heldOutCapacity, heldOutEvery,
                evaluateEvery, tolerance, on, seed, autoMaskWarmupSteps, replay);
    }

    /** This configuration with auto-masking off for the learner's first {@code steps} steps. */
    public OnlineLearnerConfig withAutoMaskWarmup(int steps) {
        return new OnlineLearnerConfig(loss, learningRate, batchSize, bufferCapacity, heldOutCapacity, heldOutEvery,
                evaluateEvery, tolerance, augment, seed, steps, replay);
    }

    /** This configuration with each training triplet trained on {@code times} times on average (1: once, in order). */
    public OnlineLearnerConfig withReplay(int times) {
        return new OnlineLearnerConfig(loss, learningRate, batchSize, bufferCapacity, heldOutCapacity, heldOutEvery,
                evaluateEvery, tolerance, augment, seed, autoMaskWarmupSteps, times);
    }
}
