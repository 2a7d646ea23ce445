package io.depthstream.operators.sink;

import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.operators.inference.DepthResult;
import io.depthstream.operators.inference.ScaleKind;
import io.depthstream.operators.inference.StageTimings;

/** Hand-made results with known numbers. */
final class SampleResults {

    private SampleResults() {}

    static DepthResult result(String camera, long seq, float[] depth, int width, int height, float[] prevToCur,
                              double[] worldFromCamera, ScaleKind scale) {
        return new DepthResult(camera, seq, 1_700_000_000_000L + seq, 1_700_000_000_500L + seq,
                1_700_000_000_620L + seq, "random-lite-7", width, height,
                new Intrinsics(0.58 * width, 1.92 * height, 0.5 * width, 0.5 * height), depth, prevToCur, null, worldFromCamera,
                scale, new StageTimings(1, 2, 3, 4, 1));
    }

    /** A 3×2 depth map and a pose translated by {@code x} along the world x axis. */
    static DepthResult simple(String camera, long seq, double x) {
        return result(camera, seq, new float[] {1, 2, 4, 8, 16, 32}, 3, 2, null,
                new double[] {1, 0, 0, x, 0, 1, 0, 0, 0, 0, 1, 0}, ScaleKind.RELATIVE);
    }
}
