package io.depthstream.model.loss;

import java.io.Serializable;
import java.util.List;

/**
 * Settings of FSRE's semantics-guided triplet loss ({@link SemanticGuidedTripletLoss}).
 *
 * @param sampling patch size K, threshold T and the {@code >} / {@code >=} rule
 * @param margin m of max(0, d+ − d− + m) (FSRE: 0.3)
 * @param weight δ, the weight of the sum over scales (FSRE: 0.1)
 * @param scales decoder feature scales s the loss runs on, each weighted 1/2^s (FSRE: 3, 2, 1)
 */
public record SemanticTripletConfig(PatchSampling sampling, double margin, double weight, List<Integer> scales) implements Serializable {

    public SemanticTripletConfig {
        if (sampling == null) {
            throw new IllegalArgumentException("patch sampling is required");
        }
        if (!(margin >= 0) || !(weight >= 0) || Double.isInfinite(margin) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("margin and weight must be finite and >= 0, got " + margin + ", "
                    + weight);
        }
        scales = PatchTripletTerms.checkedScales(scales);
    }

    /** FSRE's settings: K = 5, T = 4 with the paper's {@code >}, m = 0.3, δ = 0.1, scales 3, 2, 1. */
    public static SemanticTripletConfig fsre() {
        return new SemanticTripletConfig(PatchSampling.fsre(), 0.3, 0.1, List.of(3, 2, 1));
    }

    /** These settings with another boundary rule. */
    public SemanticTripletConfig withRule(BoundaryRule rule) {
        return new SemanticTripletConfig(sampling.withRule(rule), margin, weight, scales);
    }
}
