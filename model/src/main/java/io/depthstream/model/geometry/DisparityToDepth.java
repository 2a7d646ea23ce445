package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;

import java.io.Serializable;

/**
 * Monodepth2's mapping of a sigmoid output σ to depth: scaled_disp = 1/max + (1/min − 1/max)·σ, depth = 1/scaled_disp.
 *
 * @param minDepth depth reached at σ = 1
 * @param maxDepth depth reached at σ = 0
 */
public record DisparityToDepth(double minDepth, double maxDepth) implements Serializable {

    /** Monodepth2's training range, 0.1 to 100. */
    public static final DisparityToDepth MONODEPTH2 = new DisparityToDepth(0.1, 100.0);

    public DisparityToDepth {
        if (!(minDepth > 0) || !(maxDepth > minDepth) || Double.isInfinite(maxDepth)) {
            throw new IllegalArgumentException("need 0 < minDepth < maxDepth < inf, got " + minDepth + ", " + maxDepth);
        }
    }

    /** Scaled disparity 1/max + (1/min − 1/max)·σ of a sigmoid output of any shape (same shape out). */
    public NDArray scaledDisparity(NDArray sigmoid) {
        double minDisp = 1.0 / maxDepth;
        double maxDisp = 1.0 / minDepth;
        return sigmoid.mul(ScalarConstant.of(sigmoid, maxDisp - minDisp)).add(minDisp);
    }

    /** Depth 1/scaled_disp of a sigmoid output of any shape, e.g. (B,1,H,W) → (B,1,H,W). */
    public NDArray depth(NDArray sigmoid) {
        NDArray scaled = scaledDisparity(sigmoid);
        return ScalarConstant.of(scaled, 1).div(scaled);
    }
}
