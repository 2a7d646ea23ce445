package io.depthstream.model.loss;

import java.io.Serializable;

/**
 * One negative range of MetricDepth's multi-range strategy: a sample whose depth differential D_r to the anchor
 * satisfies {@code low < D_r < high} is a negative penalised by max(0, margin − distance).
 *
 * @param low r_l, exclusive
 * @param high r_h, exclusive; {@link Double#POSITIVE_INFINITY} for the open-ended range of the uniform strategy
 * @param margin m_ra of this range (feature-distance units)
 */
public record NegativeRange(double low, double high, double margin) implements Serializable {

    public NegativeRange {
        if (!(low >= 0) || !(high > low)) {
            throw new IllegalArgumentException("a negative range needs 0 <= low < high, got " + low + ".." + high);
        }
        if (!(margin > 0) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("a negative range's margin must be positive and finite, got " + margin);
        }
    }
}
