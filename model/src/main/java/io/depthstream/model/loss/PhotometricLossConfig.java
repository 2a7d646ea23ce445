package io.depthstream.model.loss;

import io.depthstream.model.geometry.DisparityToDepth;

import java.io.Serializable;

/**
 * Settings of the self-supervised photometric loss, with a switch for each of monodepth2's ablations.
 *
 * @param ssimWeight α of pe = α·(1 − SSIM)/2 + (1 − α)·L1
 * @param smoothnessWeight weight of the edge-aware smoothness at scale 0; scale s uses weight/2^s
 * @param minReprojection per-pixel minimum over sources; false averages the sources instead
 * @param autoMask let the identity (un-warped) reprojection errors join the minimum
 * @param identityNoise standard deviation of the tie-breaking noise added to identity errors (0 disables it)
 * @param fullResolution upsample each scale's disparity to the input size before warping; false compares at each
 *     scale's own resolution with intrinsics scaled to it
 * @param depthRange disparity-to-depth mapping
 */
public record PhotometricLossConfig(
        double ssimWeight,
        double smoothnessWeight,
        boolean minReprojection,
        boolean autoMask,
        double identityNoise,
        boolean fullResolution,
        DisparityToDepth depthRange) implements Serializable {

    public PhotometricLossConfig {
        if (!(ssimWeight >= 0 && ssimWeight <= 1)) {
            throw new IllegalArgumentException("ssimWeight must be in [0, 1], got " + ssimWeight);
        }
        if (!(smoothnessWeight >= 0) || !(identityNoise >= 0)) {
            throw new IllegalArgumentException("smoothnessWeight and identityNoise must be >= 0");
        }
        if (depthRange == null) {
            throw new IllegalArgumentException("depthRange is required");
        }
    }

    /** Monodepth2's defaults: α 0.85, smoothness 1e-3, min reprojection, auto-mask with 1e-5 noise, full-res. */
    public static PhotometricLossConfig monodepth2() {
        return new PhotometricLossConfig(
                ReprojectionError.MONODEPTH2_SSIM_WEIGHT, 1e-3, true, true, 1e-5, true, DisparityToDepth.MONODEPTH2);
    }

    /** This configuration with auto-masking on or off. */
    public PhotometricLossConfig withAutoMask(boolean on) {
        return new PhotometricLossConfig(ssimWeight, smoothnessWeight, minReprojection, on, identityNoise,
                fullResolution, depthRange);
    }

    /** This configuration with the per-pixel minimum (true) or the average (false) over sources. */
    public PhotometricLossConfig withMinReprojection(boolean on) {
        return new PhotometricLossConfig(ssimWeight, smoothnessWeight, on, autoMask, identityNoise,
                fullResolution, depthRange);
    }

    /** This configuration with full-resolution multi-scale on or off. */
    public PhotometricLossConfig withFullResolution(boolean on) {
        return new PhotometricLossConfig(ssimWeight, smoothnessWeight, minReprojection, autoMask, identityNoise,
                on, depthRange);
    }

    /** This configuration with another disparity-to-depth mapping (a model's own depth range). */
    public PhotometricLossConfig withDepthRange(DisparityToDepth range) {
        return new PhotometricLossConfig(ssimWeight, smoothnessWeight, minReprojection, autoMask, identityNoise,
                fullResolution, range);
    }

    /** This configuration with another tie-break noise level (0 makes the loss deterministic). */
    public PhotometricLossConfig withIdentityNoise(double sigma) {
        return new PhotometricLossConfig(ssimWeight, smoothnessWeight, minReprojection, autoMask, sigma,
                fullResolution, depthRange);
    }
}
