package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.depthstream.model.geometry.ScalarConstant;
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
        return reference(y).loss(x);
    }

    /**
     * The local statistics of {@code y} that every SSIM against it shares. A loss compares several images (warped
     * and unwarped sources, at every scale) with the same target: computing its padding, mean and variance once
     * saves two of the five pooling passes and their element-wise work per comparison.
     *
     * @param y (B,C,H,W)
     */
    public static Reference reference(NDArray y) {
        NDArray padded = ReflectionPad2d.pad(y, 1);
        NDArray mean = mean3x3(padded);
        NDArray meanSquared = mean.square();
        NDArray variance = mean3x3(padded.square()).sub(meanSquared);
        return new Reference(y, padded, mean, meanSquared, variance);
    }

    /**
     * Local statistics of one image y.
     *
     * @param image y, (B,C,H,W)
     * @param padded y reflection-padded by one pixel, (B,C,H+2,W+2)
     * @param mean μy over 3×3 windows, (B,C,H,W)
     * @param meanSquared μy², (B,C,H,W)
     * @param variance σy² = mean(y²) − μy², (B,C,H,W)
     */
    public record Reference(NDArray image, NDArray padded, NDArray mean, NDArray meanSquared, NDArray variance) {

        /**
         * Per-pixel, per-channel (1 − SSIM(x, y))/2.
         *
         * @param x (B,C,H,W), the shape of y
         * @return (B,C,H,W) in [0, 1]
         */
        public NDArray loss(NDArray x) {
            NDArray xp = ReflectionPad2d.pad(x, 1);
            NDArray muX = mean3x3(xp);
            NDArray muXmuY = muX.mul(mean);
            NDArray muX2 = muX.square();
            NDArray sigmaX = mean3x3(xp.square()).sub(muX2);
            NDArray sigmaXY = mean3x3(xp.mul(padded)).sub(muXmuY);

            NDArray two = ScalarConstant.of(x, 2);
            NDArray numerator = muXmuY.mul(two).add(C1).mul(sigmaXY.mul(two).add(C2));
            NDArray denominator = muX2.add(meanSquared).add(C1).mul(sigmaX.add(variance).add(C2));
            // (1 − n/d)/2 as (d − n)/(2d): one full-size operation fewer, forward and backward
            return denominator.sub(numerator).div(denominator.mul(two)).clip(0, 1);
        }
    }

    private static NDArray mean3x3(NDArray x) {
        return Pool.avgPool2d(x, WINDOW, STRIDE, NO_PAD, false, true);
    }
}
