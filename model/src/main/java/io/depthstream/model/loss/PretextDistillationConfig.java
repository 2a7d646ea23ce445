package io.depthstream.model.loss;

import java.io.Serializable;

/**
 * Settings of TripleDNet's depth-to-grayscale (D2G) pretext distillation.
 *
 * @param weight α, the factor of the pretext loss in the total objective (TripleDNet: 5e-3)
 * @param epsilon ε of the Charbonnier penalty sqrt(x² + ε²) (TripleDNet: 1e-3)
 */
public record PretextDistillationConfig(double weight, double epsilon) implements Serializable {

    public PretextDistillationConfig {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be finite and >= 0, got " + weight);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be positive and finite, got " + epsilon);
        }
    }

    /** TripleDNet's values: α = 5e-3, ε = 1e-3. */
    public static PretextDistillationConfig tripleDNet() {
        return new PretextDistillationConfig(5e-3, 1e-3);
    }
}
