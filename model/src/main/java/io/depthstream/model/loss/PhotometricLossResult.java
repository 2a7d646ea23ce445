package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * The photometric objective of one batch and its per-scale pieces.
 *
 * @param terms the total as composable parts: "photometric" (mean over scales of the min-reprojection means) and
 *     "smoothness" (mean over scales of weight/2^s · smoothness)
 * @param photometric per scale s, the scalar mean of the per-pixel (minimum) reprojection error
 * @param smoothness per scale s, the scalar edge-aware smoothness before its weight
 * @param identityShare per scale s, the share of pixels where an identity (un-warped) error won the minimum, i.e.
 *     that the auto-mask removed; 0 without auto-masking
 */
public record PhotometricLossResult(
        LossTerms terms, List<NDArray> photometric, List<NDArray> smoothness, List<Double> identityShare) {

    public PhotometricLossResult {
        photometric = List.copyOf(photometric);
        smoothness = List.copyOf(smoothness);
        identityShare = List.copyOf(identityShare);
    }

    /** The scalar to optimise. */
    public NDArray total() {
        return terms.total();
    }

    /** The identity share averaged over scales. */
    public double meanIdentityShare() {
        return identityShare.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
