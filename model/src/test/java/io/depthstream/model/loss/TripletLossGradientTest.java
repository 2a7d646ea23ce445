package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.geometry.FiniteDifferences;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/** Autograd gradients of the patch triplet losses against central differences, in float64. */
class TripletLossGradientTest {

    private static final int N = 2;
    private static final int C = 3;
    private static final int H = 6;
    private static final int W = 7;

    @ParameterizedTest
    @ValueSource(strings = {"fsre", "iso_split_min", "iso_joint_min", "iso_split_mean"})
    void gradientsMatchCentralDifferences(String variant) {
        int[] classes = new int[H * W];
        // three regions: a vertical split and a blob, with every pixel labelled
        Arrays.setAll(classes, i -> (i % W) < 3 ? 0 : ((i / W) >= 2 && (i / W) <= 4 && (i % W) >= 5) ? 2 : 1);
        LabelMap map = LabelMap.of(W, H, classes);
        BoundaryLabels labels = FixedBoundaryLabels.single(map, map);
        // large margins keep the hinge active at most anchors, so the check sees the hinge's inside
        Function<NDList, NDArray> loss = switch (variant) {
            case "fsre" -> x -> new SemanticGuidedTripletLoss(new SemanticTripletConfig(
                    new PatchSampling(3, 1, BoundaryRule.GREATER), 1.5, 1.0, List.of(1)))
                    .compute(Map.of(1, x.get(0)), labels).total();
            default -> x -> new IsolatedTripletLoss(new IsolatedTripletConfig(
                    new PatchSampling(3, 1, BoundaryRule.GREATER_OR_EQUAL), variant.endsWith("min"),
                    variant.contains("split"), 1.5, 1.2, 1.0, List.of(1)))
                    .compute(Map.of(1, x.get(0)), labels).total();
        };
        double[] feature = new Random(variant.hashCode()).doubles((long) N * C * H * W, -1, 1).toArray();
        FiniteDifferences.check(loss, List.of(feature), List.of(new Shape(N, C, H, W)),
                Arrays.asList((int[]) null), 1e-6, 1e-6);
    }
}
