package io.depthstream.model.loss;

import java.io.Serializable;

/**
 * Where patch-based triplet losses look: a K×K patch (stride 1) around every pixel of a feature map, and the test
 * that makes its centre a boundary anchor (more than T positives and more than T negatives, or at least T each).
 *
 * @param kernel K, odd, at least 3
 * @param threshold T, at least 0 and below K·K
 * @param rule whether counts must exceed T or may equal it
 */
public record PatchSampling(int kernel, int threshold, BoundaryRule rule) implements Serializable {

    public PatchSampling {
        if (kernel < 3 || kernel % 2 == 0) {
            throw new IllegalArgumentException("patch size K must be odd and at least 3, got " + kernel);
        }
        if (threshold < 0 || threshold >= kernel * kernel) {
            throw new IllegalArgumentException("boundary threshold T must lie in 0.." + (kernel * kernel - 1)
                    + ", got " + threshold);
        }
        if (rule == null) {
            throw new IllegalArgumentException("boundary rule is required");
        }
    }

    /** FSRE's sampling: K = 5, T = K − 1 = 4, counts strictly greater than T (the paper's Eq. 8). */
    public static PatchSampling fsre() {
        return new PatchSampling(5, 4, BoundaryRule.GREATER);
    }

    /** The sampling of the FSRE and edge-fattening reference code: K = 5, T = 4, counts {@code >= T}. */
    public static PatchSampling referenceCode() {
        return new PatchSampling(5, 4, BoundaryRule.GREATER_OR_EQUAL);
    }

    /** K/2: how far a patch reaches from its anchor. */
    public int radius() {
        return kernel / 2;
    }

    /** This sampling with another boundary rule. */
    public PatchSampling withRule(BoundaryRule newRule) {
        return new PatchSampling(kernel, threshold, newRule);
    }
}
