package io.depthstream.operators.training;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.train.StepLrSchedule;
import io.depthstream.model.train.TrainingConfig;
import io.depthstream.operators.inference.ModelSource;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What the learner of an offline training run needs: where the run lives, the model to start from, how to train,
 * and where the run stands when it resumes. Serializable, so it travels with the job graph.
 *
 * @param runDirectory RUN_DIR: metrics, skipped lines, checkpoints and weights go here (a path on the learner's machine)
 * @param model the model to start from; on resume, the checkpoint's weights
 * @param resumeCheckpoint the checkpoint directory whose optimizer state and progress the run continues, or null
 * @param training optimiser, loss and seed settings
 * @param schedule learning rate per epoch
 * @param device where the learner trains
 * @param batchSize triplets per step (an epoch's last step may have fewer)
 * @param epochs epochs of the whole run
 * @param linesPerEpoch split lines per epoch (usable or not: skipped lines are counted too)
 * @param startEpoch the 0-based epoch the run starts in
 * @param consumedInStartEpoch split line numbers already trained on (or skipped) in {@code startEpoch}
 * @param bestValidationLoss the best validation loss so far (NaN when none)
 * @param checkpointEverySteps also checkpoint every this many steps (0: only at the end of each epoch)
 * @param keepStepCheckpoints how many of the step checkpoints to keep (the newest ones)
 * @param maxSkipFraction the run fails when more than this fraction of an epoch's lines cannot be used
 * @param validationRoot KITTI raw root of the validation split, or null for no validation
 * @param validationSplit split file of the validation lines, or null
 */
public record TrainingRunSettings(
        String runDirectory,
        ModelSource model,
        String resumeCheckpoint,
        TrainingConfig training,
        StepLrSchedule schedule,
        DeviceChoice device,
        int batchSize,
        int epochs,
        int linesPerEpoch,
        int startEpoch,
        int[] consumedInStartEpoch,
        double bestValidationLoss,
        int checkpointEverySteps,
        int keepStepCheckpoints,
        double maxSkipFraction,
        String validationRoot,
        String validationSplit) implements Serializable {

    private static final long serialVersionUID = 1L;

    public TrainingRunSettings {
        if (runDirectory == null || model == null || training == null || schedule == null || device == null) {
            throw new IllegalArgumentException("run directory, model, training settings, schedule and device are required");
        }
        if (batchSize < 1 || epochs < 1 || linesPerEpoch < 1) {
            throw new IllegalArgumentException("batch size, epochs and lines per epoch must be positive, got "
                    + batchSize + ", " + epochs + ", " + linesPerEpoch);
        }
        if (startEpoch < 0 || startEpoch > epochs) {
            throw new IllegalArgumentException("start epoch " + startEpoch + " is outside 0.." + epochs);
        }
        if (checkpointEverySteps < 0 || keepStepCheckpoints < 1) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0 and kept checkpoints >= 1");
        }
        if (!(maxSkipFraction >= 0 && maxSkipFraction <= 1)) {
            throw new IllegalArgumentException("max skip fraction must be in [0, 1], got " + maxSkipFraction);
        }
        if ((validationRoot == null) != (validationSplit == null)) {
            throw new IllegalArgumentException("validation needs both a data root and a split file");
        }
        consumedInStartEpoch = consumedInStartEpoch == null ? new int[0] : consumedInStartEpoch.clone();
    }

    /** Split lines the start epoch still has to deliver. */
    public int remainingInStartEpoch() {
        return linesPerEpoch - consumedInStartEpoch.length;
    }

    @Override
    public int[] consumedInStartEpoch() {
        return consumedInStartEpoch.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrainingRunSettings that
                && runDirectory.equals(that.runDirectory) && Arrays.equals(consumedInStartEpoch, that.consumedInStartEpoch)
                && toString().equals(that.toString());
    }

    @Override
    public int hashCode() {
        return runDirectory.hashCode() * 31 + Arrays.hashCode(consumedInStartEpoch);
    }

    @Override
    public String toString() {
        return "TrainingRunSettings[runDirectory=" + runDirectory + ", model=" + model + ", resumeCheckpoint="
                + resumeCheckpoint + ", training=" + training + ", schedule=" + schedule + ", device=" + device
                + ", batchSize=" + batchSize + ", epochs=" + epochs + ", linesPerEpoch=" + linesPerEpoch
                + ", startEpoch=" + startEpoch + ", consumedInStartEpoch=" + consumedInStartEpoch.length + " lines"
                + ", bestValidationLoss=" + bestValidationLoss + ", checkpointEverySteps=" + checkpointEverySteps
                + ", keepStepCheckpoints=" + keepStepCheckpoints + ", maxSkipFraction=" + maxSkipFraction
                + ", validationRoot=" + validationRoot + ", validationSplit=" + validationSplit + "]";
    }
}
