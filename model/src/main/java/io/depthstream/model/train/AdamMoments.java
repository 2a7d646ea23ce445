package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;

/**
 * Adam's state for one parameter: the updates it has had and its first and second moment estimates.
 *
 * @param steps updates applied to the parameter (its own bias-correction count)
 * @param first the moving average of the gradients (m), shaped like the parameter
 * @param second the moving average of the squared gradients (v), shaped like the parameter
 */
public record AdamMoments(long steps, NDArray first, NDArray second) {

    public AdamMoments {
        if (steps < 1) {
            throw new IllegalArgumentException("moments exist after at least one update, got " + steps + " steps");
        }
        if (first == null || second == null) {
            throw new IllegalArgumentException("both moment estimates are required");
        }
        if (!first.getShape().equals(second.getShape())) {
            throw new IllegalArgumentException("first moment " + first.getShape() + " and second moment "
                    + second.getShape() + " differ in shape");
        }
    }
}
