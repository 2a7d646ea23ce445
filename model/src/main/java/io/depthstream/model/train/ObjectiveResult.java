package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;
import io.depthstream.model.loss.LossTerms;
import io.depthstream.model.loss.PhotometricLossResult;
import io.depthstream.model.loss.TripletLossResult;

import java.util.List;

/**
 * One evaluation of the whole objective.
 *
 * @param terms all weighted parts and their total (photometric, smoothness, each enabled triplet term, then the
 *     pretext term when on)
 * @param photometric the photometric loss's per-scale pieces
 * @param triplets each enabled triplet term with its per-scale pieces, in the order they joined the total
 */
public record ObjectiveResult(LossTerms terms, PhotometricLossResult photometric, List<TripletLossResult> triplets) {

    public ObjectiveResult {
        triplets = List.copyOf(triplets);
    }

    /** The scalar to optimise. */
    public NDArray total() {
        return terms.total();
    }
}
