package io.depthstream.model.loss;

/**
 * How a patch's positive and negative counts are compared with the threshold T to call its anchor a boundary pixel.
 */
public enum BoundaryRule {
    /** Both counts {@code > T}: FSRE's Eq. 8 as printed. */
    GREATER,
    /** Both counts {@code >= T}: what the FSRE and edge-fattening reference code do. */
    GREATER_OR_EQUAL;

    /** Whether a count passes the threshold under this rule. */
    public boolean admits(double count, int threshold) {
        return this == GREATER ? count > threshold : count >= threshold;
    }
}
