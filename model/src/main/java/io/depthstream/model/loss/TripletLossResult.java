package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A patch triplet loss of one batch.
 *
 * @param name the part's name in the objective (e.g. "triplet_fsre")
 * @param total scalar weight · Σ_s loss_s / 2^s, attached to the autograd graph of the features
 * @param scales per scale, in the configured order
 */
public record TripletLossResult(String name, NDArray total, List<TripletScaleTerm> scales) {

    public TripletLossResult {
        scales = List.copyOf(scales);
    }
}
