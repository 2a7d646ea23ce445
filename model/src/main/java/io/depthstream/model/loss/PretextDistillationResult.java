package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;

/**
 * The D2G pretext loss of one batch.
 *
 * @param weighted scalar α · L_d2g, as it enters the objective
 * @param charbonnier scalar L_d2g, the mean Charbonnier error of the predicted against the true grayscale
 */
public record PretextDistillationResult(NDArray weighted, NDArray charbonnier) {
}
