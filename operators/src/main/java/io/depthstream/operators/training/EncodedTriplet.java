package io.depthstream.operators.training;

import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;

/**
 * One split line's triplet as read from the archive: the encoded frames −1, 0, +1, or why the line cannot be used.
 *
 * @param epoch the training epoch (0-based) this reading belongs to
 * @param line the split file's line number ({@link io.depthstream.model.data.SplitEntry#line()})
 * @param description the line for messages, e.g. {@code 2011_09_26_drive_0001_sync 5 l (split line 12)}
 * @param previous the encoded image of frame −1, or null when skipped
 * @param current the encoded image of the centre frame, or null when skipped
 * @param next the encoded image of frame +1, or null when skipped
 * @param intrinsics the camera's rectified intrinsics at the full (stored) image size, or null when skipped
 * @param semantic the centre frame's class-id map at full size, or null when the drive has none
 * @param skipReason why the line cannot be used, or null when it can
 */
public record EncodedTriplet(int epoch, int line, String description, byte[] previous, byte[] current, byte[] next,
        Intrinsics intrinsics, SemanticMap semantic, String skipReason) {

    /** A line that cannot be used, with the reason. */
    public static EncodedTriplet skipped(int epoch, int line, String description, String reason) {
        return new EncodedTriplet(epoch, line, description, null, null, null, null, null, reason);
    }

    /** Whether the line cannot be used (then only {@link #skipReason} says something). */
    public boolean isSkipped() {
        return skipReason != null;
    }
}
