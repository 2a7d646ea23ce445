package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import io.depthstream.model.geometry.ScalarConstant;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.depthstream.model.net.ReflectionPad2d;

/**
 * Monodepth2's SSIM dissimilarity: local statistics from 3×3 mean pooling over reflection-padded images,
 * C1 = 0.01², C2 = 0.03² (images in [0, 1]), reported as (1 − SSIM)/2 clamped to [0, 1].
 */
public final class Ssim {

    /** Stabilises the luminance term; (0.01·L)² with dynamic range L = 1. */
    public static final double C1 = 0.01 * 0.01;
    /** Stabilises the contrast-structure term; (0.03·L)² with L = 1. */
    public static final double C2 = 0.03 * 0.03;

    private static final Shape WINDOW = new Shape(3, 3);
    private static final Shape STRIDE = new Shape(1, 1);
    private static final Shape NO_PAD = new Shape(0, 0);

    private Ssim() {
    }

    /**
     * Per-pixel, per-channel (1 − SSIM)/2.
     *
     * @param x (B,C,H,W)
     * @param y (B,C,H,W)
     * @return (B,C,H,W) in [0, 1], 0 where the windows are identical
     */
    public static NDArray loss(NDArray x, NDArray y) {
        NDArray xp = ReflectionPad2d.pad(x, 1);
        NDArray yp = ReflectionPad2d.pad(y, 1);
        NDArray muX = mean3x3(xp);
        NDArray muY = mean3x3(yp);
        NDArray muXmuY = muX.mul(muY);
        NDArray muX2 = muX.square();
        NDArray muY2 = muY.square();
        NDArray sigmaX = mean3x3(xp.square()).sub(muX2);
        NDArray sigmaY = mean3x3(yp.square()).sub(muY2);
        NDArray sigmaXY = mean3x3(xp.mul(yp)).sub(muXmuY);

        NDArray two = ScalarConstant.of(x, 2);
        NDArray numerator = muXmuY.mul(two).add(C1).mul(sigmaXY.mul(two).add(C2));
        NDArray denominator = muX2.add(muY2).add(C1).mul(sigmaX.add(sigmaY).add(C2));
        return numerator.div(denominator).neg().add(1).div(two).clip(0, 1);
    }

    private static NDArray mean3x3(NDArray x) {
        return Pool.avgPool2d(x, WINDOW, STRIDE, NO_PAD, false, true);
    }
}
