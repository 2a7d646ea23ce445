package io.depthstream.pipeline.training;

import io.depthstream.model.train.CheckpointProgress;
import io.depthstream.model.train.TrainingCheckpoint;
import io.depthstream.operators.training.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a resumed run continues: the newest complete checkpoint of a run directory (by step; after an epoch's end
 * the epoch checkpoint wins over a step checkpoint of the same step, since it also carries the validation).
 *
 * @param checkpoint the checkpoint directory
 * @param progress its step, epoch, learning rate and data position
 */
public record ResumePoint(Path checkpoint, CheckpointProgress progress) {

    /** The newest checkpoint under {@code run}, if any. */
    public static Optional<ResumePoint> newest(RunDirectory run) throws IOException {
        List<Path> candidates = new ArrayList<>(run.stepCheckpoints());
        candidates.addAll(run.epochCheckpoints());
        ResumePoint best = null;
        for (Path candidate : candidates) {
            if (!Files.exists(candidate.resolve(TrainingCheckpoint.PROGRESS_FILE))) {
                continue;
            }
            CheckpointProgress progress = TrainingCheckpoint.read(candidate);
            if (best == null || progress.step() > best.progress.step()
                    || (progress.step() == best.progress.step() && progress.epoch() > best.progress.epoch())) {
                best = new ResumePoint(candidate, progress);
            }
        }
        return Optional.ofNullable(best);
    }
}
