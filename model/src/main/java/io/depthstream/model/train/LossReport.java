package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.depthstream.model.loss.PhotometricLossResult;
import io.depthstream.model.loss.TripletLossResult;
import io.depthstream.model.loss.TripletScaleTerm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers of one evaluation of the objective: the total and its parts, per scale the photometric term, the
 * unweighted smoothness and the share of pixels the auto-mask kept at the identity, and per triplet term and
 * feature scale its loss and boundary-anchor count.
 *
 * @param terms "total" first, then each weighted part, in the order they joined the total
 * @param photometric per scale
 * @param smoothness per scale, before its 1e-3/2^s weight
 * @param identityShare per scale
 * @param triplet per enabled triplet term (patch terms, then the depth-differential one) and feature scale (empty
 *     when no triplet term is on)
 */
public record LossReport(
        Map<String, Double> terms, List<Double> photometric, List<Double> smoothness, List<Double> identityShare,
        List<TripletScaleReport> triplet) {

    public LossReport {
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
        photometric = List.copyOf(photometric);
        smoothness = List.copyOf(smoothness);
        identityShare = List.copyOf(identityShare);
        triplet = List.copyOf(triplet);
    }

    /** The total loss. */
    public double total() {
        return terms.get("total");
    }

    /** The weighted value of a part ("photometric", "triplet_fsre", ...), or NaN when the objective has none. */
    public double term(String name) {
        Double value = terms.get(name);
        return value == null ? Double.NaN : value;
    }

    static LossReport of(ObjectiveResult result) {
        PhotometricLossResult photometricResult = result.photometric();
        List<Double> photometric = new ArrayList<>();
        photometricResult.photometric().forEach(x -> photometric.add(scalar(x)));
        List<Double> smoothness = new ArrayList<>();
        photometricResult.smoothness().forEach(x -> smoothness.add(scalar(x)));
        List<TripletScaleReport> triplet = new ArrayList<>();
        for (TripletLossResult term : result.triplets()) {
            for (TripletScaleTerm scale : term.scales()) {
                triplet.add(new TripletScaleReport(term.name(), scale.scale(), scalar(scale.loss()),
                        Math.round(scalar(scale.boundaryPixels()))));
            }
        }
        return new LossReport(result.terms().values(), photometric, smoothness, photometricResult.identityShare(),
                triplet);
    }

    private static double scalar(NDArray x) {
        return x.toType(DataType.FLOAT64, false).getDouble();
    }
}
