package io.depthstream.model.loss;

import java.io.Serializable;

/**
 * Settings of the label-free boundary source ({@link DepthBoundaryLabels}).
 *
 * @param logDepthBin width of a pseudo-class in natural-log depth after per-frame median normalisation (0.25: one
 *     class per ≈28% change of depth)
 * @param edgeThreshold image-gradient strength (mean over RGB channels of the larger forward difference, intensities
 *     in [0, 1]) above which a pixel is an image edge
 * @param edgeRadius an anchor is eligible when an image edge lies within this many pixels of it (Chebyshev distance,
 *     2 = within a 5×5 patch)
 */
public record DepthBoundaryConfig(double logDepthBin, double edgeThreshold, int edgeRadius) implements Serializable {

    public DepthBoundaryConfig {
        if (!(logDepthBin > 0) || Double.isInfinite(logDepthBin)) {
            throw new IllegalArgumentException("log-depth bin must be positive and finite, got " + logDepthBin);
        }
        if (!(edgeThreshold >= 0) || Double.isInfinite(edgeThreshold)) {
            throw new IllegalArgumentException("edge threshold must be >= 0 and finite, got " + edgeThreshold);
        }
        if (edgeRadius < 0) {
            throw new IllegalArgumentException("edge radius must be >= 0, got " + edgeRadius);
        }
    }

    /** Defaults: bins of 0.25 in log depth, edges above 0.05, within 2 pixels (the 5×5 patch). */
    public static DepthBoundaryConfig defaults() {
        return new DepthBoundaryConfig(0.25, 0.05, 2);
    }
}
