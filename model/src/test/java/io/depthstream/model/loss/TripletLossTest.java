package io.depthstream.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Patch triplet losses on hand-built feature and label maps whose distances are known in closed form. */
class TripletLossTest {

    /** √1e-9: the clamped distance of a unit vector to itself (or to an equal one). */
    private static final double SELF = Math.sqrt(1e-9);
    private static final double SQRT2 = Math.sqrt(2);

    /** (1,2,h,w) float64 map of 2-D unit vectors at the given angles (degrees), row-major. */
    private static NDArray angles(NDManager manager, int h, int w, double... degrees) {
        double[] values = new double[2 * h * w];
        for (int i = 0; i < h * w; i++) {
            values[i] = Math.cos(Math.toRadians(degrees[i]));
            values[h * w + i] = Math.sin(Math.toRadians(degrees[i]));
        }
        return manager.create(values, new Shape(1, 2, h, w));
    }

    private static SemanticTripletConfig fsre(int kernel, int threshold, BoundaryRule rule, double margin) {
        return new SemanticTripletConfig(new PatchSampling(kernel, threshold, rule), margin, 1.0, List.of(1));
    }

    private static IsolatedTripletConfig isolated(boolean hardest, boolean split, double margin, double isoMargin) {
        return new IsolatedTripletConfig(new PatchSampling(3, 1, BoundaryRule.GREATER), hardest, split, margin,
                isoMargin, 1.0, List.of(1));
    }

    @Test
    void positionsOutsideTheImageAreNegativesAtDistanceSqrt2() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // 3×3, one class, equal features: only the zero padding supplies negatives. K = 3, T = 2 (>):
            // corners have 4 positives and 5 outside negatives, edge centres 6 and 3, the centre 9 and 0.
            NDArray feature = angles(manager, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            BoundaryLabels labels = FixedBoundaryLabels.single(LabelMap.of(3, 3, new int[9]));
            TripletLossResult result = new SemanticGuidedTripletLoss(fsre(3, 2, BoundaryRule.GREATER, 2.0))
                    .compute(Map.of(1, feature), labels);

            // every boundary anchor: d+ = √1e-9, d− = √2, L = d+ − d− + 2
            assertThat(result.scales().get(0).boundaryPixels().getDouble()).isEqualTo(8);
            assertThat(result.scales().get(0).loss().getDouble()).isCloseTo(SELF - SQRT2 + 2, within(1e-12));
            assertThat(result.total().getDouble()).as("weight 1, scale 1 halves").isCloseTo((SELF - SQRT2 + 2) / 2,
                    within(1e-12));
            assertThat(result.name()).isEqualTo("triplet_fsre");
        }
    }

    @Test
    void boundaryThresholdRuleDecidesWhichAnchorsCount() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // the same 3×3 with T = 3: edge centres have exactly 3 negatives, counted by >= only.
            // Corner features at 0°, edge centres at 90°, centre at 0°: corners and edges then differ.
            NDArray feature = angles(manager, 3, 3, 0, 90, 0, 90, 0, 90, 0, 90, 0);
            BoundaryLabels labels = FixedBoundaryLabels.single(LabelMap.of(3, 3, new int[9]));
            double cornerMargin = 2.0;
            // corner (0,0): positives itself (0°), (0,1) 90°, (1,0) 90°, (1,1) 0° → d+ = (2·SELF + 2·√2)/4;
            // negatives 5 × √2 → L = d+ − √2 + 2
            double corner = (2 * SELF + 2 * SQRT2) / 4 - SQRT2 + cornerMargin;
            // edge centre (0,1) at 90°: positives itself, (0,0) 0°, (0,2) 0°, (1,0) 90°, (1,1) 0°, (1,2) 90° →
            // d+ = (3·SELF... itself, (1,0), (1,2) are 90° → 3 at SELF, 3 at √2) / 6; negatives 3 × √2
            double edge = (3 * SELF + 3 * SQRT2) / 6 - SQRT2 + cornerMargin;

            TripletScaleTerm greater = new SemanticGuidedTripletLoss(fsre(3, 3, BoundaryRule.GREATER, cornerMargin))
                    .compute(Map.of(1, feature), labels).scales().get(0);
            TripletScaleTerm atLeast = new SemanticGuidedTripletLoss(
                    fsre(3, 3, BoundaryRule.GREATER_OR_EQUAL, cornerMargin))
                    .compute(Map.of(1, feature), labels).scales().get(0);

            assertThat(greater.boundaryPixels().getDouble()).isEqualTo(4);
            assertThat(greater.loss().getDouble()).isCloseTo(corner, within(1e-12));
            assertThat(atLeast.boundaryPixels().getDouble()).isEqualTo(8);
            assertThat(atLeast.loss().getDouble()).isCloseTo((corner + edge) / 2, within(1e-12));
        }
    }

    /**
     * One row of three pixels, classes [0, 0, 1], features at 30°, 0°, 60°; K = 3, T = 1 (>). The six positions
     * above and below, and the one left of pixel 0, lie outside (√2). Pixels 0 and 1 are boundary anchors (2
     * positives, 7 negatives); pixel 2 has 1 positive.
     */
    private static final class Row {
        static final double D01 = 2 * Math.sin(Math.toRadians(15));  // 30° vs 0°
        static final double D12 = 1.0;                                // 0° vs 60°
        static final double POSITIVE = (SELF + D01) / 2;              // both anchors
        static final double NEGATIVE_MEAN_0 = SQRT2;                  // pixel 0: all 7 negatives outside
        static final double NEGATIVE_MEAN_1 = (6 * SQRT2 + D12) / 7;  // pixel 1: 6 outside and pixel 2
        static final double NEGATIVE_MIN_1 = D12;

        static NDArray feature(NDManager manager) {
            return angles(manager, 1, 3, 30, 0, 60);
        }

        static BoundaryLabels labels() {
            return FixedBoundaryLabels.single(LabelMap.of(3, 1, new int[] {0, 0, 1}));
        }
    }

    @Test
    void fsreUsesTheMeanOverNegatives() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TripletScaleTerm term = new SemanticGuidedTripletLoss(fsre(3, 1, BoundaryRule.GREATER, 1.2))
                    .compute(Map.of(1, Row.feature(manager)), Row.labels()).scales().get(0);
            double l0 = Math.max(0, Row.POSITIVE - Row.NEGATIVE_MEAN_0 + 1.2);
            double l1 = Math.max(0, Row.POSITIVE - Row.NEGATIVE_MEAN_1 + 1.2);
            assertThat(l0).isGreaterThan(0);
            assertThat(term.boundaryPixels().getDouble()).isEqualTo(2);
            assertThat(term.loss().getDouble()).isCloseTo((l0 + l1) / 2, within(1e-12));
        }
    }

    @Test
    void hardestNegativeAndSplitForm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<Integer, NDArray> feature = Map.of(1, Row.feature(manager));
            // split, hardest, m_iso 1.2: pixel 0 has d− = √2 > 1.2, pixel 1 the hardest negative at 1.0
            double splitMin = new IsolatedTripletLoss(isolated(true, true, 0, 1.2)).compute(feature, Row.labels())
                    .scales().get(0).loss().getDouble();
            assertThat(splitMin).isCloseTo(Row.POSITIVE + (1.2 - Row.NEGATIVE_MIN_1) / 2, within(1e-12));

            // split with the mean: both means exceed 1.2, only d+ remains
            double splitMean = new IsolatedTripletLoss(isolated(false, true, 0, 1.2)).compute(feature, Row.labels())
                    .scales().get(0).loss().getDouble();
            assertThat(Row.NEGATIVE_MEAN_1).isGreaterThan(1.2);
            assertThat(splitMean).isCloseTo(Row.POSITIVE, within(1e-12));

            // joint, hardest, m 1.0: pixel 0 max(0, 1 + d+ − √2) = 0, pixel 1 1 + d+ − 1
            double jointMin = new IsolatedTripletLoss(isolated(true, false, 1.0, 0)).compute(feature, Row.labels())
                    .scales().get(0).loss().getDouble();
            assertThat(1 + Row.POSITIVE - SQRT2).isNegative();
            assertThat(jointMin).isCloseTo((1 + Row.POSITIVE - Row.NEGATIVE_MIN_1) / 2, within(1e-12));

            // joint with the mean is FSRE's form
            double jointMean = new IsolatedTripletLoss(isolated(false, false, 1.2, 0)).compute(feature, Row.labels())
                    .scales().get(0).loss().getDouble();
            double fsre = new SemanticGuidedTripletLoss(fsre(3, 1, BoundaryRule.GREATER, 1.2))
                    .compute(feature, Row.labels()).scales().get(0).loss().getDouble();
            assertThat(jointMean).isCloseTo(fsre, within(1e-15));
        }
    }

    @Test
    void defaultsAreThePapersSettings() {
        SemanticTripletConfig fsre = SemanticTripletConfig.fsre();
        assertThat(fsre.sampling()).isEqualTo(new PatchSampling(5, 4, BoundaryRule.GREATER));
        assertThat(fsre.margin()).isEqualTo(0.3);
        assertThat(fsre.weight()).isEqualTo(0.1);
        assertThat(fsre.scales()).containsExactly(3, 2, 1);
        IsolatedTripletConfig iso = IsolatedTripletConfig.edgeFattening();
        assertThat(iso.sampling()).isEqualTo(new PatchSampling(5, 4, BoundaryRule.GREATER_OR_EQUAL));
        assertThat(iso.hardestNegative()).isTrue();
        assertThat(iso.split()).isTrue();
        assertThat(iso.isolationMargin()).isEqualTo(0.65);
        assertThat(iso.margin()).isEqualTo(0.35);
        assertThat(iso.weight()).isEqualTo(0.1);
    }

    @Test
    void aPatchInsideOneObjectContributesNothing() {
        try (NDManager manager = NDManager.newBaseManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            // 16×16, class 0 left of column 12, class 1 from it; pixel (7, 5) is more than 2·(K/2) = 4 pixels from
            // the class border and the image border, so neither its own patch nor any patch containing it crosses
            // a boundary
            int h = 16;
            int w = 16;
            int[] classes = new int[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 12; x < w; x++) {
                    classes[y * w + x] = 1;
                }
            }
            BoundaryLabels labels = FixedBoundaryLabels.single(LabelMap.of(w, h, classes));
            double[] values = new Random(3).doubles(4L * h * w).toArray();
            NDArray feature = manager.create(values, new Shape(1, 4, h, w));
            feature.setRequiresGradient(true);
            TripletLossResult result = new SemanticGuidedTripletLoss(new SemanticTripletConfig(PatchSampling.fsre(),
                    0.3, 0.1, List.of(1))).compute(Map.of(1, feature), labels);
            collector.backward(result.total());
            double[] gradient = feature.getGradient().toDoubleArray();
            for (int c = 0; c < 4; c++) {
                assertThat(gradient[(c * h + 7) * w + 5]).as("channel %d", c).isZero();
            }
            assertThat(Arrays.stream(gradient).map(Math::abs).max().orElse(0)).isGreaterThan(0);
        }
    }

    @Test
    void allNegativePatchesGiveAFiniteLoss() {
        try (NDManager manager = NDManager.newBaseManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            // every pixel its own class: the anchor is its only positive
            int h = 6;
            int w = 7;
            int[] classes = new int[h * w];
            Arrays.setAll(classes, i -> i);
            BoundaryLabels labels = FixedBoundaryLabels.single(LabelMap.of(w, h, classes));
            NDArray feature = manager.create(new Random(5).doubles(3L * h * w).toArray(), new Shape(1, 3, h, w));
            feature.setRequiresGradient(true);
            // T = 0: every anchor is a boundary with d+ = √1e-9
            IsolatedTripletConfig config = new IsolatedTripletConfig(new PatchSampling(5, 0, BoundaryRule.GREATER),
                    true, true, 0.35, 0.65, 1.0, List.of(1));
            TripletLossResult result = new IsolatedTripletLoss(config).compute(Map.of(1, feature), labels);
            assertThat(result.scales().get(0).boundaryPixels().getDouble()).isEqualTo(h * w);
            assertThat(result.total().getDouble()).isFinite();
            collector.backward(result.total());
            assertThat(Arrays.stream(feature.getGradient().toDoubleArray()).allMatch(Double::isFinite)).isTrue();

            // with the default T = 4 no anchor has enough positives: no boundary, a zero term
            TripletLossResult none = new SemanticGuidedTripletLoss(new SemanticTripletConfig(PatchSampling.fsre(),
                    0.3, 0.1, List.of(1))).compute(Map.of(1, feature), labels);
            assertThat(none.scales().get(0).boundaryPixels().getDouble()).isZero();
            assertThat(none.total().getDouble()).isZero();
        }
    }

    @Test
    void framesWithoutLabelsAddNothing() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Random random = new Random(11);
            int h = 8;
            int w = 10;
            NDArray both = manager.create(random.doubles(2L * 3 * h * w).toArray(), new Shape(2, 3, h, w));
            int[] classes = new int[h * w];
            Arrays.setAll(classes, i -> (i % w) < 4 ? 0 : (i / w) < 5 ? 1 : 2);
            LabelMap map = LabelMap.of(w, h, classes);
            SemanticGuidedTripletLoss loss = new SemanticGuidedTripletLoss(
                    new SemanticTripletConfig(PatchSampling.fsre(), 0.3, 0.1, List.of(1)));

            TripletScaleTerm mixed = loss.compute(Map.of(1, both), FixedBoundaryLabels.single(map, null))
                    .scales().get(0);
            TripletScaleTerm alone = loss.compute(Map.of(1, both.get("0:1")), FixedBoundaryLabels.single(map))
                    .scales().get(0);
            assertThat(mixed.boundaryPixels().getDouble()).isPositive().isEqualTo(alone.boundaryPixels().getDouble());
            assertThat(mixed.loss().getDouble()).isCloseTo(alone.loss().getDouble(), within(1e-12));

            TripletLossResult unlabelled = loss.compute(Map.of(1, both), FixedBoundaryLabels.single(null, null));
            assertThat(unlabelled.total().getDouble()).isZero();
            assertThat(unlabelled.scales().get(0).boundaryPixels().getDouble()).isZero();
        }
    }

    @Test
    void noTensorOfPatchSizeIsKept() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // 25 offsets of a (2,32,48,64) map would be 25·6.3 MB if products were kept alive
            NDArray feature = manager.randomNormal(new Shape(2, 32, 48, 64));
            int[] classes = new int[48 * 64];
            Arrays.setAll(classes, i -> (i % 64) < 30 ? 0 : 1);
            LabelMap map = LabelMap.of(64, 48, classes);
            try (NDManager step = manager.newSubManager()) {
                NDArray attached = feature.duplicate();
                attached.attach(step);
                new SemanticGuidedTripletLoss(new SemanticTripletConfig(PatchSampling.fsre(), 0.3, 0.1, List.of(1)))
                        .compute(Map.of(1, attached), FixedBoundaryLabels.single(map, map));
                long featureSized = step.getManagedArrays().stream()
                        .filter(a -> !a.isReleased() && a.getShape().size() >= feature.getShape().size())
                        .count();
                // the input, its unit-normalised copy and the padded copy (the square of the input, the products
                // and the shifted views are closed once used)
                assertThat(featureSized).isLessThanOrEqualTo(3);
            }
        }
    }
}
