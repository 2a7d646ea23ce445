package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import io.depthstream.model.geometry.ScalarConstant;

/** Monodepth2's photometric reprojection error pe = α·(1 − SSIM)/2 + (1 − α)·|a − b|, averaged over channels. */
public final class ReprojectionError {

    /** Monodepth2's SSIM weight α. */
    public static final double MONODEPTH2_SSIM_WEIGHT = 0.85;

    private ReprojectionError() {
    }

    /**
     * Per-pixel error between a (warped) prediction and the target.
     *
     * @param predicted (B,C,H,W)
     * @param target (B,C,H,W)
     * @param ssimWeight α in [0, 1]
     * @return (B,1,H,W)
     */
    public static NDArray of(NDArray predicted, NDArray target, double ssimWeight) {
        if (ssimWeight == 0) {
            return l1(predicted, target);
        }
        return of(predicted, Ssim.reference(target), ssimWeight);
    }

    /**
     * {@link #of(NDArray, NDArray, double)} against a target whose SSIM statistics are already computed (a loss
     * that compares several images with one target computes them once).
     *
     * @param predicted (B,C,H,W)
     * @param target the target's statistics, (B,C,H,W) images
     * @param ssimWeight α in [0, 1]
     * @return (B,1,H,W)
     */
    public static NDArray of(NDArray predicted, Ssim.Reference target, double ssimWeight) {
        NDArray l1 = l1(predicted, target.image());
        if (ssimWeight == 0) {
            return l1;
        }
        NDArray ssim = target.loss(predicted).mean(new int[] {1}, true);
        return ssim.mul(ScalarConstant.of(ssim, ssimWeight)).add(l1.mul(ScalarConstant.of(l1, 1 - ssimWeight)));
    }

    private static NDArray l1(NDArray predicted, NDArray target) {
        return predicted.sub(target).abs().mean(new int[] {1}, true);
    }
}
