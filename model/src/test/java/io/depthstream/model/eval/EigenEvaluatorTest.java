package io.depthstream.model.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.VelodyneGroundTruth;
import io.depthstream.model.geometry.DisparityToDepth;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EigenEvaluatorTest {

    private static final int W = 1242;
    private static final int H = 375;

    /** A dense GT map with depths 5…45 m varying over the image. */
    private static DepthMap denseGroundTruth() {
        float[] depth = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                depth[y * W + x] = 5f + 40f * y / H + 3f * (float) Math.sin(x / 50.0);
            }
        }
        return new DepthMap(W, H, depth);
    }

    private static float[] inverse(float[] depth, double scale) {
        float[] disp = new float[depth.length];
        for (int i = 0; i < depth.length; i++) {
            disp[i] = (float) (1.0 / (depth[i] * scale));
        }
        return disp;
    }

    private static float[] constant(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    @Test
    void theCropIsComputedWithTheTruncatedPublishedFractions() {
        assertThat(GargCrop.of(1242, 375)).isEqualTo(new GargCrop(153, 371, 44, 1197));
        assertThat(GargCrop.of(1241, 376)).isEqualTo(new GargCrop(153, 372, 44, 1196));
    }

    @Test
    void aPerfectPredictionScoresPerfectly() {
        DepthMap gt = denseGroundTruth();
        EigenEvaluator evaluator = EigenEvaluator.medianScaling();

        DepthMetrics m = evaluator.add(inverse(gt.depth(), 1.0), W, H, gt);

        assertThat(m.absRel()).isCloseTo(0, within(1e-6));
        assertThat(m.rmse()).isCloseTo(0, within(1e-5));
        assertThat(m.delta1()).isEqualTo(1.0);
        assertThat(evaluator.report().ratioMedian()).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void medianScalingRemovesAConstantScale() {
        DepthMap gt = denseGroundTruth();
        EigenEvaluator evaluator = EigenEvaluator.medianScaling();

        DepthMetrics first = evaluator.add(inverse(gt.depth(), 0.37), W, H, gt);
        evaluator.add(inverse(gt.depth(), 0.5), W, H, gt);
        EigenReport report = evaluator.report();

        assertThat(first.absRel()).isCloseTo(0, within(1e-6));
        assertThat(first.delta1()).isEqualTo(1.0);
        assertThat(report.images()).isEqualTo(2);
        assertThat(report.metrics().absRel()).isCloseTo(0, within(1e-6));
        // Ratios 1/0.37 and 2: the median of two averages them; ratio/median is then 1 ± 0.1502.
        double med = (1 / 0.37 + 2) / 2;
        assertThat(report.ratioMedian()).isCloseTo(med, within(1e-5));
        assertThat(report.ratioStd()).isCloseTo((1 / 0.37 - 2) / 2 / med, within(1e-5));
    }

    @Test
    void eachImageReportsTheRatioItWasScaledBy() {
        DepthMap gt = denseGroundTruth();
        EigenEvaluator median = EigenEvaluator.medianScaling();
        EigenEvaluator fixed = EigenEvaluator.fixedScale(5.4);

        EigenImage first = median.addImage(inverse(gt.depth(), 0.37), W, H, gt);
        EigenImage second = median.addImage(inverse(gt.depth(), 0.5), W, H, gt);
        EigenImage stereo = fixed.addImage(inverse(gt.depth(), 0.5), W, H, gt);

        assertThat(first.ratio()).isCloseTo(1 / 0.37, within(1e-5));
        assertThat(second.ratio()).isCloseTo(2, within(1e-5));
        assertThat(first.metrics().absRel()).isCloseTo(0, within(1e-6));
        assertThat(stereo.ratio()).isEqualTo(5.4);
        assertThat(fixed.report().ratioMedian()).isEqualTo(5.4);
    }

    @Test
    void aConstantLowResolutionDisparityWithAFixedScaleGivesHandComputedErrors() {
        // Disparity 0.1 at 640×192 resizes to 0.1 everywhere: depth 10 against GT 20.
        DepthMap gt = new DepthMap(W, H, constant(W * H, 20f));
        float[] disp = constant(640 * 192, 0.1f);

        DepthMetrics unscaled = EigenEvaluator.fixedScale(1.0).add(disp, 640, 192, gt);
        DepthMetrics doubled = EigenEvaluator.fixedScale(2.0).add(disp, 640, 192, gt);
        DepthMetrics median = EigenEvaluator.medianScaling().add(disp, 640, 192, gt);

        assertThat(unscaled.absRel()).isCloseTo(0.5, within(1e-6));
        assertThat(unscaled.sqRel()).isCloseTo(5.0, within(1e-5));
        assertThat(unscaled.rmse()).isCloseTo(10.0, within(1e-5));
        assertThat(unscaled.rmseLog()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(new double[] {unscaled.delta1(), unscaled.delta2(), unscaled.delta3()}).containsExactly(0, 0, 0);
        assertThat(doubled.absRel()).isCloseTo(0, within(1e-6));
        assertThat(median.absRel()).isCloseTo(0, within(1e-6));
    }

    @Test
    void onlyGroundTruthInRangeAndInsideTheCropCounts() {
        // Inside the crop: 10 m, except a row beyond 80 m and a row below 1e-3 m; outside the crop: 50 m.
        float[] depth = constant(W * H, 50f);
        GargCrop crop = GargCrop.of(W, H);
        for (int y = crop.top(); y < crop.bottom(); y++) {
            for (int x = crop.left(); x < crop.right(); x++) {
                depth[y * W + x] = y == 200 ? 85f : y == 201 ? 0.0005f : y == 202 ? 80f : 10f;
            }
        }
        DepthMap gt = new DepthMap(W, H, depth);

        boolean[] mask = EigenEvaluator.evaluationMask(gt);
        int count = 0;
        for (boolean valid : mask) {
            count += valid ? 1 : 0;
        }
        assertThat(count).isEqualTo((371 - 153 - 3) * (1197 - 44));
        assertThat(mask[153 * W + 44]).isTrue();
        assertThat(mask[152 * W + 44]).isFalse();
        assertThat(mask[153 * W + 43]).isFalse();
        assertThat(mask[370 * W + 1196]).isTrue();
        assertThat(mask[371 * W + 1196]).isFalse();
        assertThat(mask[370 * W + 1197]).isFalse();
        assertThat(mask[200 * W + 600]).isFalse();

        // A prediction of 10 m everywhere is perfect on exactly the evaluated pixels.
        DepthMetrics m = EigenEvaluator.fixedScale(1.0).add(constant(W * H, 0.1f), W, H, gt);
        assertThat(m.toArray()).containsExactly(new double[] {0, 0, 0, 0, 1, 1, 1}, within(1e-6));
    }

    @Test
    void predictionsAreClampedAfterScaling() {
        DepthMap gt = new DepthMap(W, H, constant(W * H, 40f));
        // Depth 1000 m is clamped to 80 m: abs_rel = 40/40 = 1, rmse = 40.
        DepthMetrics m = EigenEvaluator.fixedScale(1.0).add(constant(64 * 32, 0.001f), 64, 32, gt);

        assertThat(m.absRel()).isCloseTo(1.0, within(1e-6));
        assertThat(m.rmse()).isCloseTo(40.0, within(1e-4));
    }

    @Test
    void unusableInputIsRefusedWithAReason() {
        DepthMap empty = new DepthMap(W, H, new float[W * H]);
        assertThatThrownBy(() -> EigenEvaluator.medianScaling().add(constant(4, 0.1f), 2, 2, empty))
                .hasMessageContaining("no ground-truth depth");
        DepthMap gt = new DepthMap(W, H, constant(W * H, 20f));
        assertThatThrownBy(() -> EigenEvaluator.medianScaling().add(constant(4, 0f), 2, 2, gt))
                .hasMessageContaining("disparity must be positive");
        assertThatThrownBy(() -> EigenEvaluator.medianScaling().report()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sigmoidOutputsMapToTheMonodepth2DepthRange() {
        float[] sigmoid = {0f, 1f, 0.5f};
        float[] disp = EigenEvaluator.scaledDisparity(sigmoid, DisparityToDepth.MONODEPTH2);
        float[] depth = EigenEvaluator.depth(sigmoid, DisparityToDepth.MONODEPTH2);

        assertThat(disp[0]).isCloseTo(0.01f, within(1e-7f));
        assertThat(disp[1]).isCloseTo(10f, within(1e-5f));
        assertThat(disp[2]).isCloseTo(5.005f, within(1e-5f));
        assertThat(depth[0]).isCloseTo(100f, within(1e-4f));
        assertThat(depth[1]).isCloseTo(0.1f, within(1e-7f));
        assertThat(depth[2]).isCloseTo(1 / 5.005f, within(1e-7f));
    }

    @Test
    void realGroundTruthMatchesAnIndependentNumpyEvaluation() throws Exception {
        String property = System.getProperty("depthstream.fixtures");
        Assumptions.assumeTrue(property != null && Files.isDirectory(Path.of(property, "kitti_raw")),
                "no KITTI fixture (depthstream.fixtures): real-KITTI test skipped");
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/golden/eigen/evaluation.json")) {
            cases = new ObjectMapper().readTree(in);
        }
        KittiDrive drive = KittiDrive.parse("2011_09_26/2011_09_26_drive_0000_sync");
        try (KittiRawArchive archive = KittiRawArchive.open(Path.of(property, "kitti_raw"))) {
            for (JsonNode expected : cases) {
                EigenEvaluator evaluator = expected.get("median_scaling").asBoolean()
                        ? EigenEvaluator.medianScaling() : EigenEvaluator.fixedScale(expected.get("factor").asDouble());
                for (int i = 0; i < expected.get("frames").size(); i++) {
                    DepthMap gt = VelodyneGroundTruth.of(archive, drive, expected.get("frames").get(i).asInt(), KittiCamera.IMAGE_02);
                    DepthMetrics m = evaluator.add(syntheticDisparity(expected.get("phases").get(i).asDouble()), 640, 192, gt);
                    assertClose(m, expected.get("per_image").get(i));
                }
                EigenReport report = evaluator.report();
                assertClose(report.metrics(), expected.get("mean"));
                assertThat(report.ratioMedian()).isCloseTo(expected.get("ratio_median").asDouble(), within(1e-5));
                assertThat(report.ratioStd()).isCloseTo(expected.get("ratio_std").asDouble(), within(1e-5));
            }
        }
    }

    /** The golden generator's disparity: 0.02 + 0.3·(y/191)² + 0.01·sin(x/37 + phase) at 640×192. */
    private static float[] syntheticDisparity(double phase) {
        float[] disp = new float[640 * 192];
        for (int y = 0; y < 192; y++) {
            for (int x = 0; x < 640; x++) {
                double yy = y / 191.0;
                disp[y * 640 + x] = (float) (0.02 + 0.3 * yy * yy + 0.01 * Math.sin(x / 37.0 + phase));
            }
        }
        return disp;
    }

    private static void assertClose(DepthMetrics actual, JsonNode expected) {
        double[] values = actual.toArray();
        for (int k = 0; k < 7; k++) {
            double e = expected.get(k).asDouble();
            // δ are pixel fractions: one pixel crossing a threshold moves them by ~1e-4.
            double tolerance = k >= 4 ? 2e-4 : 1e-5 * Math.max(1, Math.abs(e));
            assertThat(values[k]).as("metric %d", k).isCloseTo(e, within(tolerance));
        }
    }
}
