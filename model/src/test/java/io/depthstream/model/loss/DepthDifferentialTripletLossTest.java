package io.depthstream.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The depth-differential triplet loss on hand-built maps whose pairs, distances and labels are known. */
class DepthDifferentialTripletLossTest {

    /**
     * Features (B=2, C=2, 2×2): image 0 has (0,0) (3,4) / (1,0) (0,0), image 1 has (0,1) at the top left and (0,0)
     * elsewhere. Reference 4×4 reduces to 2×2 by valid-depth block means: image 0 → 1.0, 1.05 / 1.8, invalid (a
     * block of 0, −1 and NaN); image 1 → 2.0 everywhere.
     */
    private static final float[] FEATURES = {
        0, 3, 1, 0, /* */ 0, 4, 0, 0,
        0, 0, 0, 0, /* */ 1, 0, 0, 0};
    private static final float[] REFERENCE = {
        1.0f, 0f, 1.05f, 1.05f,
        1.2f, 0.8f, 1.05f, 1.05f,
        1.8f, 2.3f, 0f, -1f,
        1.3f, 0f, Float.NaN, 0f,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    private static final List<SampleRoll> ROLLS = List.of(
            new SampleRoll(0, 0, 1), new SampleRoll(0, 1, 0), new SampleRoll(0, 1, 1), new SampleRoll(1, 0, 0));

    /** r_p 0.1; range 1 (0.5, 0.9) margin 2; range 2 (0.9, 1.5) margin 3; scale 1 only. */
    private static DifferentialTripletConfig handConfig(DifferentialReduction reduction) {
        return new DifferentialTripletConfig(DepthReference.GROUND_TRUTH, 0.1,
                List.of(new NegativeRange(0.5, 0.9, 2), new NegativeRange(0.9, 1.5, 3)), 3, 1, List.of(1), reduction, 1);
    }

    /*
     * Pairs by hand (each roll pairs a→b and b→a, so every pair counts twice):
     *   roll (0,0,1): image 0: (0,0)-(3,4) D_r 0.05 positive, l = 5 → 10; (1,0)-invalid excluded.
     *                 image 1: (0,1)-(0,0) positive l = 1 → 2; (0,0)-(0,0) positive l = 1e-6 (floor) → 2e-6.
     *   roll (0,1,0): image 0: (0,0)-(1,0) D_r 0.8 range 1, max(0, 2 − 1) = 1 → 2; (3,4)-invalid excluded.
     *                 image 1: (0,1)-(0,0) → 2; (0,0)-(0,0) → 2e-6.
     *   roll (0,1,1): image 0: (3,4)-(1,0) D_r 0.75 range 1, l = √20 > 2 → 0; (0,0)-invalid excluded.
     *                 image 1: (0,1)-(0,0) → 2; (0,0)-(0,0) → 2e-6.
     *   roll (1,0,0): top left (0,0)@1.0 vs (0,1)@2.0: D_r 1.0 range 2, max(0, 3 − 1) = 2 → 4;
     *                 top right (3,4)@1.05 vs (0,0)@2: D_r 0.95 range 2, l = 5 → 0;
     *                 bottom left D_r 0.2: unlabelled; bottom right: invalid in image 0.
     *   sum = 10 + 6 + 2 + 4 + 6e-6 = 22.000006; positives 2 + 12 = 14; range 1: 4; range 2: 4.
     */
    @Test
    void sumMatchesHandComputedPairs() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DifferentialTripletResult result = new DepthDifferentialTripletLoss(
                    handConfig(DifferentialReduction.SUM), new Random(0)).compute(List.of(features(manager)), reference(manager),
                    List.of(ROLLS));

            assertThat(result.positives().get(0).getDouble()).isEqualTo(14);
            assertThat(result.negatives().get(0).toDoubleArray()).containsExactly(4, 4);
            assertThat(result.perScale().get(0).getDouble()).isCloseTo(22.000006, within(1e-9));
            // scale 1 enters the total with weight 1/2
            assertThat(result.total().getDouble()).isCloseTo(11.000003, within(1e-9));
        }
    }

    @Test
    void labelledMeanDividesByLabelledPairs() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DifferentialTripletResult result = new DepthDifferentialTripletLoss(
                    handConfig(DifferentialReduction.LABELLED_MEAN).withWeight(0.5), new Random(0))
                    .compute(List.of(features(manager)), reference(manager), List.of(ROLLS));

            assertThat(result.perScale().get(0).getDouble()).isCloseTo(22.000006 / 22, within(1e-6));
            assertThat(result.total().getDouble()).isCloseTo(0.5 * 0.5 * 22.000006 / 22, within(1e-6));
        }
    }

    @Test
    void uniformStrategyLabelsEveryLargeDifferentialWithOneMargin() {
        // r_n 0.5, m_u 4: negatives are the four D_r ∈ {0.8, 0.75} pairs (hinges 3 and 0) and the four across-batch
        // ones (D_r 1.0: hinge 3; D_r 0.95: hinge 0) → 2·3 + 2·3 = 12 plus the 14 positives' 16.000006
        DifferentialTripletConfig uniform = DifferentialTripletConfig.uniform(DepthReference.GROUND_TRUTH, 0.1, 0.5, 4)
                .withScales(List.of(1)).withReduction(DifferentialReduction.SUM);
        try (NDManager manager = NDManager.newBaseManager()) {
            DifferentialTripletResult result = new DepthDifferentialTripletLoss(uniform, new Random(0))
                    .compute(List.of(features(manager)), reference(manager), List.of(ROLLS));

            assertThat(result.negatives().get(0).toDoubleArray()).containsExactly(8);
            assertThat(result.perScale().get(0).getDouble()).isCloseTo(28.000006, within(1e-9));
        }
    }

    @Test
    void predictedDepthIsMedianNormalisedPerImageAndDetached() {
        // image 0's valid depths sorted: 0.8 1.0 1.05 1.05 1.05 1.05 1.2 1.3 1.8 2.3 → lower median 1.05; image 1: 2
        float[] normalised = REFERENCE.clone();
        float[] scaled = REFERENCE.clone();
        for (int i = 0; i < REFERENCE.length; i++) {
            normalised[i] = REFERENCE[i] / (i < 16 ? 1.05f : 2f);
            scaled[i] = REFERENCE[i] * 7;
        }
        DifferentialTripletConfig relative = handConfig(DifferentialReduction.SUM);
        try (NDManager manager = NDManager.newBaseManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray features = features(manager);
            features.setRequiresGradient(true);
            NDArray predicted = manager.create(scaled, new Shape(2, 1, 4, 4));
            predicted.setRequiresGradient(true);

            DifferentialTripletResult fromPrediction = new DepthDifferentialTripletLoss(
                    relative.withReference(DepthReference.PREDICTED), new Random(0))
                    .compute(List.of(features), predicted, List.of(ROLLS));
            DifferentialTripletResult byHand = new DepthDifferentialTripletLoss(relative, new Random(0))
                    .compute(List.of(features), manager.create(normalised, new Shape(2, 1, 4, 4)), List.of(ROLLS));

            assertThat(fromPrediction.total().getDouble()).isCloseTo(byHand.total().getDouble(), within(1e-9));
            assertThat(fromPrediction.positives().get(0).getDouble()).isEqualTo(byHand.positives().get(0).getDouble());
            assertThat(fromPrediction.negatives().get(0).toDoubleArray())
                    .containsExactly(byHand.negatives().get(0).toDoubleArray());
            // unscaled, image 0's median is 1.05 ≠ 1, so the labels do differ from the metric ones
            assertThat(fromPrediction.total().getDouble()).isNotCloseTo(11.000003, within(1e-3));

            collector.backward(fromPrediction.total());
            assertThat(predicted.getGradient().abs().sum().getFloat()).isZero();
            assertThat(features.getGradient().abs().sum().getFloat()).isPositive();
        }
    }

    @Test
    void allPositiveAllNegativeAndAllInvalidInputsGiveFiniteLossesAndGradients() {
        DifferentialTripletConfig config = DifferentialTripletConfig.metricDepthNyu().withScales(List.of(2, 1));
        try (NDManager manager = NDManager.newBaseManager()) {
            Random random = new Random(5);
            // constant depth and identical (zero) features: every pair a positive at distance 0
            check(config, manager.zeros(new Shape(2, 4, 4, 6)), manager.zeros(new Shape(2, 4, 8, 12)),
                    manager.ones(new Shape(2, 1, 16, 24)), random, true);
            // identical features, and a depth that differs by at least 0.6 between any two 2×2 blocks (so also between
            // any two pixels at scales 1 and 2, within and across images): only negatives, all at distance 0
            float[] depth = new float[2 * 16 * 24];
            for (int i = 0; i < depth.length; i++) {
                int b = i / (16 * 24);
                int y = (i / 24) % 16;
                int x = i % 24;
                depth[i] = 1 + 0.6f * (b * 96 + (y / 2) * 12 + x / 2);
            }
            DifferentialTripletConfig uniform = DifferentialTripletConfig.uniform(DepthReference.GROUND_TRUTH, 0.1, 0.5, 2)
                    .withScales(List.of(2, 1));
            DifferentialTripletResult negatives = check(uniform, manager.ones(new Shape(2, 4, 4, 6)),
                    manager.ones(new Shape(2, 4, 8, 12)), manager.create(depth, new Shape(2, 1, 16, 24)), random, false);
            // every pair pays (almost) the whole margin 2; scales 2 and 1 weigh 1/4 and 1/2
            assertThat(negatives.total().getDouble()).isCloseTo(2 * (0.25 + 0.5), within(1e-5));
            // nothing valid: no labelled pair, the loss is exactly 0
            DifferentialTripletResult none = check(config, manager.ones(new Shape(2, 4, 4, 6)),
                    manager.ones(new Shape(2, 4, 8, 12)), manager.zeros(new Shape(2, 1, 16, 24)), random, null);
            assertThat(none.total().getDouble()).isZero();
        }
    }

    private static DifferentialTripletResult check(DifferentialTripletConfig config, NDArray coarse, NDArray fine,
                                                   NDArray reference, Random random, Boolean positivesOnly) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            coarse.setRequiresGradient(true);
            fine.setRequiresGradient(true);
            DifferentialTripletResult result = new DepthDifferentialTripletLoss(config, random)
                    .compute(List.of(coarse, fine), reference);
            collector.backward(result.total());
            assertThat(Double.isFinite(result.total().getDouble())).isTrue();
            assertThat(Float.isFinite(coarse.getGradient().abs().sum().getFloat())).isTrue();
            assertThat(Float.isFinite(fine.getGradient().abs().sum().getFloat())).isTrue();
            if (positivesOnly != null) {
                for (int k = 0; k < 2; k++) {
                    double positives = result.positives().get(k).getDouble();
                    double negatives = result.negatives().get(k).sum().getDouble();
                    assertThat(positivesOnly ? positives : negatives).isPositive();
                    assertThat(positivesOnly ? negatives : positives).isZero();
                }
            }
            return result;
        }
    }

    @Test
    void rollsAreSeededAndWithinTheirRanges() {
        List<SampleRoll> first = SampleRoll.draw(new Random(42), 3, 6, 10, 10, 4);
        List<SampleRoll> again = SampleRoll.draw(new Random(42), 3, 6, 10, 10, 4);
        assertThat(first).hasSize(14).isEqualTo(again);
        assertThat(first).isNotEqualTo(SampleRoll.draw(new Random(43), 3, 6, 10, 10, 4));
        for (SampleRoll roll : first.subList(0, 10)) {
            assertThat(roll.batch()).isZero();
            assertThat(roll.rows()).isBetween(1, 5);
            assertThat(roll.columns()).isBetween(1, 9);
        }
        for (SampleRoll roll : first.subList(10, 14)) {
            assertThat(roll.batch()).isBetween(1, 2);
        }
        assertThat(SampleRoll.draw(new Random(1), 1, 6, 10, 10, 4)).hasSize(10);

        try (NDManager manager = NDManager.newBaseManager()) {
            Random data = new Random(3);
            NDArray f3 = manager.randomNormal(new Shape(3, 4, 4, 6));
            NDArray f2 = manager.randomNormal(new Shape(3, 4, 8, 12));
            float[] depth = new float[3 * 32 * 48];
            for (int i = 0; i < depth.length; i++) {
                depth[i] = 1 + 2 * data.nextFloat();
            }
            NDArray reference = manager.create(depth, new Shape(3, 1, 32, 48));
            DifferentialTripletConfig config = DifferentialTripletConfig.metricDepthNyu().withScales(List.of(3, 2));
            double a = new DepthDifferentialTripletLoss(config, new Random(9)).compute(List.of(f3, f2), reference)
                    .total().getDouble();
            double b = new DepthDifferentialTripletLoss(config, new Random(9)).compute(List.of(f3, f2), reference)
                    .total().getDouble();
            double c = new DepthDifferentialTripletLoss(config, new Random(10)).compute(List.of(f3, f2), reference)
                    .total().getDouble();
            assertThat(a).isEqualTo(b).isNotEqualTo(c);
        }
    }

    @Test
    void rollHelperMatchesTorchRollSemantics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(2f * 3 * 4).reshape(2, 1, 3, 4);
            // out[b, 0, y, x] = in[(b − 1) mod 2, 0, (y − 2) mod 3, (x − 1) mod 4]
            float[] rolled = DepthDifferentialTripletLoss.roll(x, new SampleRoll(1, 2, 1)).toFloatArray();
            for (int b = 0; b < 2; b++) {
                for (int y = 0; y < 3; y++) {
                    for (int c = 0; c < 4; c++) {
                        int source = (((b + 1) % 2) * 3 + (y + 1) % 3) * 4 + (c + 3) % 4;
                        assertThat(rolled[(b * 3 + y) * 4 + c]).isEqualTo((float) source);
                    }
                }
            }
        }
    }

    @Test
    void badInputsAreRejectedWithClearErrors() {
        assertThatThrownBy(() -> new DifferentialTripletConfig(DepthReference.GROUND_TRUTH, 0.1,
                List.of(new NegativeRange(0.5, 1, 2), new NegativeRange(0.8, 1.5, 3)), 10, 4, List.of(1),
                DifferentialReduction.SUM, 1)).hasMessageContaining("overlap");
        assertThatThrownBy(() -> new DifferentialTripletConfig(DepthReference.GROUND_TRUTH, 0.6,
                List.of(new NegativeRange(0.5, 1, 2)), 10, 4, List.of(1), DifferentialReduction.SUM, 1))
                .hasMessageContaining("positiveThreshold");
        assertThatThrownBy(() -> new SampleRoll(0, 0, 0)).hasMessageContaining("itself");
        try (NDManager manager = NDManager.newBaseManager()) {
            DepthDifferentialTripletLoss loss = new DepthDifferentialTripletLoss(handConfig(DifferentialReduction.SUM),
                    new Random(0));
            NDArray features = features(manager);
            assertThatThrownBy(() -> loss.compute(List.of(features), manager.ones(new Shape(2, 1, 5, 4)),
                    List.of(ROLLS))).hasMessageContaining("integer multiple");
            assertThatThrownBy(() -> loss.compute(List.of(features), reference(manager),
                    List.of(List.of(new SampleRoll(0, 2, 0))))).hasMessageContaining("does not fit");
            assertThatThrownBy(() -> loss.compute(List.of(features, features), reference(manager)))
                    .hasMessageContaining("1 scales");
        }
    }

    private static NDArray features(NDManager manager) {
        return manager.create(FEATURES, new Shape(2, 2, 2, 2));
    }

    private static NDArray reference(NDManager manager) {
        return manager.create(REFERENCE, new Shape(2, 1, 4, 4));
    }

}
