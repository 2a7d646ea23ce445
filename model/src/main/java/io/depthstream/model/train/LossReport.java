package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.depthstream.model.loss.PhotometricLossResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The numbers of one evaluation of the objective: the total and its parts, and per scale the photometric term,
 * the unweighted smoothness and the share of pixels the auto-mask kept at the identity.
 *
 * @param terms "total" first, then each weighted part
 * @param photometric per scale
 * @param smoothness per scale, before its 1e-3/2^s weight
 * @param identityShare per scale
 */
public record LossReport(
        Map<String, Double> terms, List<Double> photometric, List<Double> smoothness, List<Double> identityShare) {

    public LossReport {
        terms = Map.copyOf(terms);
        photometric = List.copyOf(photometric);
        smoothness = List.copyOf(smoothness);
        identityShare = List.copyOf(identityShare);
    }

    /** The total loss. */
    public double total() {
        return terms.get("total");
    }

    static LossReport of(PhotometricLossResult result) {
        List<Double> photometric = new ArrayList<>();
        result.photometric().forEach(x -> photometric.add(scalar(x)));
        List<Double> smoothness = new ArrayList<>();
        result.smoothness().forEach(x -> smoothness.add(scalar(x)));
        return new LossReport(result.terms().values(), photometric, smoothness, result.identityShare());
    }

    private static double scalar(NDArray x) {
        return x.toType(DataType.FLOAT64, false).getDouble();
    }
}
