package io.depthstream.model.loss;

import java.io.Serializable;
import java.util.List;

/**
 * Settings of the edge-fattening paper's redesigned triplet loss ({@link IsolatedTripletLoss}), with a switch per
 * redesign.
 *
 * @param sampling patch size K, threshold T and the {@code >} / {@code >=} rule (reference code: 5, 4, {@code >=})
 * @param hardestNegative d− as the minimum over negatives (the "min operator"); false: their mean, as FSRE
 * @param split L = d+ + max(0, m_iso − d−) ("splitting the triplet"); false: max(0, m + d+ − d−)
 * @param margin m of the joint form (reference code: 0.35)
 * @param isolationMargin m_iso of the split form (reference code: 0.65)
 * @param weight weight of the sum over scales (reference code: 0.1)
 * @param scales decoder feature scales s, each weighted 1/2^s (reference code: 3, 2, 1)
 */
public record IsolatedTripletConfig(PatchSampling sampling, boolean hardestNegative, boolean split, double margin,
        double isolationMargin, double weight, List<Integer> scales) implements Serializable {

    public IsolatedTripletConfig {
        if (sampling == null) {
            throw new IllegalArgumentException("patch sampling is required");
        }
        for (double value : new double[] {margin, isolationMargin, weight}) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("margins and weight must be finite and >= 0, got " + value);
            }
        }
        scales = PatchTripletTerms.checkedScales(scales);
    }

    /** The reference settings: K = 5, T = 4 with {@code >=}, hardest negative, split with m_iso 0.65 (m 0.35), 0.1. */
    public static IsolatedTripletConfig edgeFattening() {
        return new IsolatedTripletConfig(PatchSampling.referenceCode(), true, true, 0.35, 0.65, 0.1,
                List.of(3, 2, 1));
    }

    /** These settings with the min operator on (true) or the mean over negatives (false). */
    public IsolatedTripletConfig withHardestNegative(boolean on) {
        return new IsolatedTripletConfig(sampling, on, split, margin, isolationMargin, weight, scales);
    }

    /** These settings with the split form (true) or the joint triplet form (false). */
    public IsolatedTripletConfig withSplit(boolean on) {
        return new IsolatedTripletConfig(sampling, hardestNegative, on, margin, isolationMargin, weight, scales);
    }

    /** These settings with another boundary rule. */
    public IsolatedTripletConfig withRule(BoundaryRule rule) {
        return new IsolatedTripletConfig(sampling.withRule(rule), hardestNegative, split, margin, isolationMargin,
                weight, scales);
    }
}
