package io.depthstream.operators.training;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.train.Augmentation;

/**
 * A split line ready for the learner: frames at network size with their intrinsics and the augmentation drawn for
 * it, or a skip.
 *
 * @param epoch the training epoch (0-based)
 * @param line the split file's line number
 * @param description the line for messages, e.g. {@code 2011_09_26_drive_0001_sync 5 l (split line 12)}
 * @param previous frame −1 at network size, or null when skipped
 * @param current the centre frame at network size, or null when skipped
 * @param next frame +1 at network size, or null when skipped
 * @param intrinsics intrinsics at network size, or null when skipped
 * @param semantic the centre frame's class ids at network size (nearest neighbour), or null
 * @param augmentation the augmentation drawn for this (epoch, line), or null when skipped
 * @param skipReason why the line cannot be used, or null when it can
 */
public record PreparedTriplet(int epoch, int line, String description, RgbImage previous, RgbImage current,
        RgbImage next, Intrinsics intrinsics, SemanticMap semantic, Augmentation augmentation, String skipReason) {

    /** A line that cannot be used, with the reason. */
    public static PreparedTriplet skipped(int epoch, int line, String description, String reason) {
        return new PreparedTriplet(epoch, line, description, null, null, null, null, null, null, reason);
    }

    /** Whether the line cannot be used (then only {@link #skipReason} says something). */
    public boolean isSkipped() {
        return skipReason != null;
    }
}
