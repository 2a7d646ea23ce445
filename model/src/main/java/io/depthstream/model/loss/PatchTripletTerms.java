package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.geometry.ScalarConstant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The multi-scale sum weight · Σ_s (mean over boundary anchors of a per-anchor loss) / 2^s of patch triplet losses. */
final class PatchTripletTerms {

    private PatchTripletTerms() {
    }

    static TripletLossResult compute(String name, Map<Integer, NDArray> features, BoundaryLabels labels,
            List<Integer> scales, PatchSampling sampling, boolean hardestNegative, double weight,
            Function<PatchDistances, NDArray> perAnchor) {
        List<TripletScaleTerm> terms = new ArrayList<>(scales.size());
        NDArray sum = null;
        for (int scale : scales) {
            NDArray feature = features.get(scale);
            if (feature == null) {
                throw new IllegalArgumentException(name + " needs decoder features at scale " + scale + ", have "
                        + features.keySet());
            }
            Shape shape = feature.getShape();
            int n = (int) shape.get(0);
            int h = (int) shape.get(2);
            int w = (int) shape.get(3);
            if (labels.samples() != n) {
                throw new IllegalArgumentException("boundary labels cover " + labels.samples() + " frames, the batch has "
                        + n);
            }
            List<LabelMap> maps = new ArrayList<>(n);
            for (int b = 0; b < n; b++) {
                maps.add(labels.at(b, w, h));
            }
            PatchDistances distances = PatchDistances.of(feature, maps, sampling, hardestNegative);
            NDArray loss;
            NDArray pixels;
            if (distances == null) {
                // no frame has labels: the scale adds nothing, and no gradient
                loss = feature.getManager().zeros(new Shape(), feature.getDataType());
                pixels = feature.getManager().zeros(new Shape(), DataType.FLOAT64);
            } else {
                loss = distances.meanOverBoundary(perAnchor.apply(distances));
                pixels = distances.boundaryPixels();
            }
            terms.add(new TripletScaleTerm(scale, loss, pixels));
            NDArray weighted = loss.mul(ScalarConstant.of(loss, weight / Math.pow(2, scale)));
            sum = sum == null ? weighted : sum.add(weighted);
        }
        return new TripletLossResult(name, sum, terms);
    }

    /** Validates a scale list: non-empty, each in 1..3, no repeats. */
    static List<Integer> checkedScales(List<Integer> scales) {
        if (scales == null || scales.isEmpty()) {
            throw new IllegalArgumentException("a triplet loss needs at least one feature scale");
        }
        List<Integer> copy = List.copyOf(scales);
        if (copy.stream().distinct().count() != copy.size() || copy.stream().anyMatch(s -> s < 1 || s > 3)) {
            throw new IllegalArgumentException("triplet scales must be distinct values in 1..3, got " + scales);
        }
        return copy;
    }
}
