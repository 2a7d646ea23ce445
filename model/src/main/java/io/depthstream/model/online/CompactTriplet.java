package io.depthstream.model.online;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.train.TrainingSample;

/**
 * A triplet kept as 8-bit RGB frames (a quarter of the float form's memory: 1.1 MB instead of 4.4 MB at 640×192)
 * until the learner trains on it.
 *
 * @param previous frame t−1 at network size, or null
 * @param current frame t at network size
 * @param next frame t+1 at network size, or null
 * @param intrinsics of {@code current}
 * @param semanticClasses the centre frame's class ids (one byte per pixel), or null
 */
public record CompactTriplet(RgbImage previous, RgbImage current, RgbImage next, Intrinsics intrinsics,
                             byte[] semanticClasses) implements PendingTriplet {

    public CompactTriplet {
        if (current == null || intrinsics == null) {
            throw new IllegalArgumentException("a triplet needs its centre frame and intrinsics");
        }
        if (semanticClasses != null && semanticClasses.length != current.width() * current.height()) {
            throw new IllegalArgumentException("semantic map has " + semanticClasses.length + " values for a "
                    + current.width() + "x" + current.height() + " frame");
        }
    }

    @Override
    public int frameValues() {
        return 3 * current.width() * current.height();
    }

    @Override
    public boolean complete() {
        return previous != null && next != null;
    }

    @Override
    public TrainingSample expand() {
        SemanticMap semantic = null;
        if (semanticClasses != null) {
            int[] classes = new int[semanticClasses.length];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = semanticClasses[i] & 0xFF;
            }
            semantic = new SemanticMap(current.width(), current.height(), classes);
        }
        return new TrainingSample(previous == null ? null : previous.toChwFloats(), current.toChwFloats(),
                next == null ? null : next.toChwFloats(), intrinsics, semantic);
    }
}
