package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * The depth-differential triplet loss of one batch, with what it was made of.
 *
 * @param total float64 scalar: weight · Σ_s L_re(s) / 2^s
 * @param perScale float64 scalar L_re(s) per configured scale (unweighted), in configuration order
 * @param positives per scale, the number of positive pairs (float64 scalar)
 * @param negatives per scale, the number of negative pairs per range (float64, one entry per range)
 */
public record DifferentialTripletResult(
        NDArray total, List<NDArray> perScale, List<NDArray> positives, List<NDArray> negatives) {

    public DifferentialTripletResult {
        perScale = List.copyOf(perScale);
        positives = List.copyOf(positives);
        negatives = List.copyOf(negatives);
    }
}
