package io.depthstream.model.train;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Where a training run stood when a checkpoint was written: enough to continue it exactly.
 *
 * @param step training steps taken (equal to the saved {@link TrainingStep#steps()})
 * @param epoch the epoch in progress (0-based)
 * @param learningRate the learning rate of the next steps (equal to the saved {@link TrainingStep#learningRate()})
 * @param consumedLines line numbers of the training split already trained on in {@code epoch}; empty when the
 *     epoch had not started
 * @param bestValidationLoss the best validation loss so far, NaN when none was measured
 * @param seed the run's training seed
 * @param extra free-form facts of the run (names of data sets, command line, …)
 */
public record CheckpointProgress(
        long step,
        int epoch,
        double learningRate,
        int[] consumedLines,
        double bestValidationLoss,
        long seed,
        Map<String, String> extra) {

    public CheckpointProgress {
        if (step < 0 || epoch < 0) {
            throw new IllegalArgumentException("step and epoch must be >= 0, got " + step + ", " + epoch);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        consumedLines = consumedLines == null ? new int[0] : consumedLines.clone();
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    /** A copy: the record stays immutable. */
    @Override
    public int[] consumedLines() {
        return consumedLines.clone();
    }

    /** How many lines of {@code epoch} were consumed. */
    public int consumedCount() {
        return consumedLines.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CheckpointProgress p && step == p.step && epoch == p.epoch
                && Double.compare(learningRate, p.learningRate) == 0 && Arrays.equals(consumedLines, p.consumedLines)
                && Double.compare(bestValidationLoss, p.bestValidationLoss) == 0 && seed == p.seed
                && extra.equals(p.extra);
    }

    @Override
    public int hashCode() {
        return Objects.hash(step, epoch, learningRate, Arrays.hashCode(consumedLines), bestValidationLoss, seed, extra);
    }

    @Override
    public String toString() {
        return "CheckpointProgress[step=" + step + ", epoch=" + epoch + ", learningRate=" + learningRate
                + ", consumedLines=" + consumedLines.length + " lines, bestValidationLoss=" + bestValidationLoss
                + ", seed=" + seed + ", extra=" + extra + "]";
    }
}
