package io.depthstream.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.depthstream.model.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Parity with an independent PyTorch implementation that materialises every patch (golden/triplet/generate.py):
 * losses per scale, boundary counts, the weighted total and its gradients, on seeded random features and labels
 * of a batch whose third frame has no labels.
 */
class TripletLossGoldenTest {

    private static final int[] SCALES = {1, 2, 3};

    @ParameterizedTest
    @ValueSource(strings = {"fsre_gt", "fsre_ge", "iso_split_min", "iso_joint_min", "iso_split_mean",
        "iso_joint_mean"})
    void lossesMatchPyTorchInFloat64(String variant) throws Exception {
        double[] expected = read(variant + ".npy").data();
        try (NDManager manager = NDManager.newBaseManager()) {
            TripletLossResult result = compute(variant, features(manager, DataType.FLOAT64), labels());
            assertRelative("total", result.total().getDouble(), expected[0], 1e-5);
            for (int i = 0; i < SCALES.length; i++) {
                TripletScaleTerm term = result.scales().get(i);
                assertThat(term.scale()).isEqualTo(3 - i);
                int column = term.scale();
                assertRelative("loss at scale " + column, term.loss().getDouble(), expected[column], 1e-5);
                assertThat(term.boundaryPixels().getDouble()).as("boundary pixels at scale %d", column)
                        .isEqualTo(expected[3 + column]);
            }
        }
    }

    @Test
    void float32FeaturesAgreeWithinTheSelfDistanceRounding() throws Exception {
        // in float32 the anchor's distance to itself is √(2 − 2·⟨f,f⟩) with ⟨f,f⟩ rounded, up to ~5e-4 instead
        // of √1e-9, shifting d+ by at most that over the positives
        double[] expected = read("fsre_gt.npy").data();
        try (NDManager manager = NDManager.newBaseManager()) {
            TripletLossResult result = compute("fsre_gt", features(manager, DataType.FLOAT32), labels());
            assertRelative("total", result.total().getFloat(), expected[0], 3e-3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fsre_gt", "iso_split_min"})
    void gradientsMatchPyTorch(String variant) throws Exception {
        try (NDManager manager = NDManager.newBaseManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Map<Integer, NDArray> features = features(manager, DataType.FLOAT64);
            features.values().forEach(f -> f.setRequiresGradient(true));
            TripletLossResult result = compute(variant, features, labels());
            collector.backward(result.total());
            for (int s : SCALES) {
                double[] expected = read("grad_" + variant + "_s" + s + ".npy").data();
                double[] actual = features.get(s).getGradient().toDoubleArray();
                double scale = 0;
                for (double g : expected) {
                    scale = Math.max(scale, Math.abs(g));
                }
                assertThat(scale).isGreaterThan(0);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("d total / d feature_s%d[%d]", s, i)
                            .isCloseTo(expected[i], within(1e-6 * scale));
                }
                // the unlabelled third frame receives no gradient
                int perFrame = expected.length / 3;
                for (int i = 2 * perFrame; i < expected.length; i++) {
                    assertThat(actual[i]).isZero();
                }
            }
        }
    }

    static TripletLossResult compute(String variant, Map<Integer, NDArray> features, BoundaryLabels labels) {
        if (variant.startsWith("fsre")) {
            SemanticTripletConfig config = SemanticTripletConfig.fsre()
                    .withRule(variant.endsWith("ge") ? BoundaryRule.GREATER_OR_EQUAL : BoundaryRule.GREATER);
            return new SemanticGuidedTripletLoss(config).compute(features, labels);
        }
        IsolatedTripletConfig config = IsolatedTripletConfig.edgeFattening()
                .withSplit(variant.contains("split"))
                .withHardestNegative(variant.endsWith("min"));
        return new IsolatedTripletLoss(config).compute(features, labels);
    }

    static Map<Integer, NDArray> features(NDManager manager, DataType type) throws URISyntaxException {
        Map<Integer, NDArray> features = new LinkedHashMap<>();
        for (int s : SCALES) {
            Npy npy = read("feature_s" + s + ".npy");
            features.put(s, manager.create(npy.toFloatArray(), new Shape(npy.shape())).toType(type, false));
        }
        return features;
    }

    static BoundaryLabels labels() throws URISyntaxException {
        List<List<LabelMap>> byScale = new ArrayList<>();
        for (int s : SCALES) {
            Npy npy = read("labels_s" + s + ".npy");
            int n = (int) npy.shape()[0];
            int h = (int) npy.shape()[1];
            int w = (int) npy.shape()[2];
            List<LabelMap> frames = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                int[] classes = new int[h * w];
                for (int i = 0; i < classes.length; i++) {
                    classes[i] = (int) npy.data()[b * h * w + i];
                }
                frames.add(classes[0] < 0 ? null : LabelMap.of(w, h, classes));
            }
            byScale.add(frames);
        }
        return new FixedBoundaryLabels(byScale);
    }

    private static void assertRelative(String what, double actual, double expected, double relative) {
        assertThat(actual).as(what).isCloseTo(expected, within(relative * Math.abs(expected)));
    }

    private static Npy read(String file) throws URISyntaxException {
        Path path = Paths.get(TripletLossGoldenTest.class.getResource("/golden/triplet/" + file).toURI());
        return Npy.read(path);
    }
}
