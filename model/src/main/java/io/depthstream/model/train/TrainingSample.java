package io.depthstream.model.train;

import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;

/**
 * One temporal triplet at network resolution, as planar RGB floats in [0, 1] (3·H·W each), optionally with a
 * semantic class-id map of the centre frame.
 *
 * @param previous frame t−1, or null when absent
 * @param current frame t, whose depth is predicted
 * @param next frame t+1, or null when absent
 * @param intrinsics the camera's intrinsics at network resolution
 * @param semantic class ids of frame t at any resolution of the same aspect (resized by nearest neighbour to each
 *     feature scale), or null when the frame has none
 */
public record TrainingSample(float[] previous, float[] current, float[] next, Intrinsics intrinsics,
        SemanticMap semantic) {

    public TrainingSample {
        if (current == null || intrinsics == null) {
            throw new IllegalArgumentException("a sample needs its current frame and intrinsics");
        }
        if (previous == null && next == null) {
            throw new IllegalArgumentException("a sample needs at least one neighbouring frame");
        }
        for (float[] frame : new float[][] {previous, next}) {
            if (frame != null && frame.length != current.length) {
                throw new IllegalArgumentException("frames of a sample differ in size: " + frame.length + " vs "
                        + current.length);
            }
        }
    }

    /** A sample without a semantic map. */
    public TrainingSample(float[] previous, float[] current, float[] next, Intrinsics intrinsics) {
        this(previous, current, next, intrinsics, null);
    }

    /** This sample with a semantic map of its centre frame (null removes it). */
    public TrainingSample withSemantic(SemanticMap map) {
        return new TrainingSample(previous, current, next, intrinsics, map);
    }
}
