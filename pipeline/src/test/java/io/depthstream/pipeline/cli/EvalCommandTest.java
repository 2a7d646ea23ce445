package io.depthstream.pipeline.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.VelodyneGroundTruth;
import io.depthstream.model.eval.EigenEvaluator;
import io.depthstream.model.eval.EigenImage;
import io.depthstream.model.eval.EigenReport;
import io.depthstream.model.geometry.DisparityToDepth;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.depthstream.pipeline.cli.DepthstreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EvalCommandTest {

    private static final KittiDrive DRIVE = new KittiDrive("2011_09_26", "2011_09_26_drive_0000_sync");
    private static final List<String> METRICS = List.of("abs_rel", "sq_rel", "rmse", "rmse_log", "a1", "a2", "a3");

    @TempDir
    static Path shared;
    static Path weights;

    /** A seeded random LITE model at 320×96: small enough for CPU tests, its output still depends on every pixel. */
    @BeforeAll
    static void saveWeights() {
        weights = shared.resolve("weights");
        ModelConfig config = ModelConfig.monodepth2(Architecture.LITE).withSize(96, 320);
        try (DepthModel model = DepthModel.initialise(config, Device.cpu(), 7)) {
            ModelWeights.save(model, weights, Map.of("source", "EvalCommandTest"));
        }
    }

    /** The real-KITTI fixture root; skips the calling test when it is not there. */
    private static Path kittiRoot() {
        String property = System.getProperty("depthstream.fixtures");
        Assumptions.assumeTrue(property != null, "system property depthstream.fixtures is not set: real-KITTI test skipped");
        Path root = Path.of(property, "kitti_raw");
        Assumptions.assumeTrue(Files.isDirectory(root.resolve("2011_09_26")),
                "no KITTI fixture at " + root + "/2011_09_26: real-KITTI test skipped");
        return root;
    }

    private static Path splitFile(Path dir, List<Integer> frames) throws IOException {
        Path file = dir.resolve("split.txt");
        Files.writeString(file, frames.stream().map(f -> DRIVE + " " + f + " l").collect(Collectors.joining("\n", "", "\n")));
        return file;
    }

    /** What the command should compute, done here by hand with the same model, frames and batches. */
    private static List<EigenImage> evaluateDirectly(Path root, List<Integer> frames, int batch, EigenEvaluator evaluator)
            throws IOException {
        List<EigenImage> images = new ArrayList<>();
        try (KittiRawArchive archive = KittiRawArchive.open(root);
                DepthModel model = ModelWeights.load(weights, Device.cpu())) {
            ModelConfig config = model.config();
            DepthPredictor predictor = new DepthPredictor(model);
            for (int from = 0; from < frames.size(); from += batch) {
                List<Integer> chunk = frames.subList(from, Math.min(frames.size(), from + batch));
                List<float[]> inputs = new ArrayList<>();
                for (int frame : chunk) {
                    inputs.add(ImageResizer.resize(archive.image(DRIVE, frame, KittiCamera.IMAGE_02), 320, 96).toChwFloats());
                }
                float[][] sigmoid = predictor.disparity(inputs);
                for (int i = 0; i < chunk.size(); i++) {
                    DepthMap gt = VelodyneGroundTruth.of(archive, DRIVE, chunk.get(i), KittiCamera.IMAGE_02);
                    float[] disp = EigenEvaluator.scaledDisparity(sigmoid[i],
                            new DisparityToDepth(config.minDepth(), config.maxDepth()));
                    images.add(evaluator.addImage(disp, 320, 96, gt));
                }
            }
        }
        return images;
    }

    @Test
    void evaluatesTheSplitExactlyAsTheModelAndEvaluatorDoDirectly(@TempDir Path dir) throws Exception {
        Path root = kittiRoot();
        List<Integer> frames = IntStream.range(0, 12).boxed().toList();
        Path split = splitFile(dir, frames);
        Path json = dir.resolve("out/metrics.json");
        Path csv = dir.resolve("out/per_image.csv");

        DepthstreamCommandTest.Run result = run("eval", "--data", root.toString(), "--split", split.toString(),
                "--weights", weights.toString(), "--json", json.toString(), "--csv", csv.toString(), "--batch", "5",
                "--device", "cpu");

        assertThat(result.exit()).as(result.err()).isZero();
        EigenEvaluator direct = EigenEvaluator.medianScaling();
        List<EigenImage> expectedImages = evaluateDirectly(root, frames, 5, direct);
        EigenReport expected = direct.report();

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        double[] expectedMetrics = expected.metrics().toArray();
        for (int k = 0; k < METRICS.size(); k++) {
            assertThat(report.get(METRICS.get(k)).isNumber()).as(METRICS.get(k)).isTrue();
            assertThat(report.get(METRICS.get(k)).asDouble()).as(METRICS.get(k)).isFinite()
                    .isCloseTo(expectedMetrics[k], within(1e-9));
        }
        assertThat(report.get("images").asInt()).isEqualTo(12);
        assertThat(report.get("scaling").asText()).isEqualTo("median");
        assertThat(report.get("ratio_median").asDouble()).isCloseTo(expected.ratioMedian(), within(1e-9));
        assertThat(report.get("ratio_std").asDouble()).isCloseTo(expected.ratioStd(), within(1e-9));
        assertThat(report.get("ratio_std").asDouble()).isPositive();
        assertThat(Path.of(report.get("weights").asText())).isEqualTo(weights.toAbsolutePath().normalize());
        assertThat(Path.of(report.get("split").asText())).isEqualTo(split.toAbsolutePath().normalize());

        List<String> rows = Files.readAllLines(csv);
        assertThat(rows).hasSize(13);
        assertThat(rows.get(0)).isEqualTo("drive,frame,side,abs_rel,sq_rel,rmse,rmse_log,a1,a2,a3,ratio");
        String[] frame7 = rows.get(8).split(",");
        assertThat(frame7[0]).isEqualTo("2011_09_26/2011_09_26_drive_0000_sync");
        assertThat(frame7[1]).isEqualTo("7");
        assertThat(frame7[2]).isEqualTo("l");
        double[] expected7 = expectedImages.get(7).metrics().toArray();
        for (int k = 0; k < 7; k++) {
            assertThat(Double.parseDouble(frame7[3 + k])).isCloseTo(expected7[k], within(1e-9));
        }
        assertThat(Double.parseDouble(frame7[10])).isCloseTo(expectedImages.get(7).ratio(), within(1e-9));

        List<String> lines = result.out().lines().toList();
        int header = lines.indexOf("   abs_rel |   sq_rel |     rmse | rmse_log |       a1 |       a2 |       a3 | ");
        assertThat(header).as(result.out()).isPositive();
        String values = lines.get(header + 1);
        assertThat(values).matches("(&\\s*-?\\d+\\.\\d{3}  ){7}\\\\\\\\");
        assertThat(values).startsWith(String.format(java.util.Locale.ROOT, "&% 8.3f  &% 8.3f", expectedMetrics[0], expectedMetrics[1]));
        assertThat(result.out()).contains(String.format(java.util.Locale.ROOT, " Scaling ratios | med: %.3f | std: %.3f",
                expected.ratioMedian(), expected.ratioStd()));
        assertThat(result.out()).contains("12 images evaluated");
        assertThat(result.err()).contains("12/12 100%").contains("img/s");
    }

    @Test
    void aFixedScaleMultipliesEveryPredictionAndIsReported(@TempDir Path dir) throws Exception {
        Path root = kittiRoot();
        List<Integer> frames = List.of(2, 9, 4);
        Path json = dir.resolve("metrics.json");

        DepthstreamCommandTest.Run result = run("eval", "--data", root.toString(), "--split",
                splitFile(dir, frames).toString(), "--weights", weights.toString(), "--json", json.toString(),
                "--scale", "5.4", "--device", "cpu");

        assertThat(result.exit()).as(result.err()).isZero();
        EigenEvaluator direct = EigenEvaluator.fixedScale(5.4);
        evaluateDirectly(root, frames, 4, direct);
        EigenReport expected = direct.report();
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("scaling").asDouble()).isEqualTo(5.4);
        assertThat(report.get("ratio_median").asDouble()).isEqualTo(5.4);
        assertThat(report.get("ratio_std").asDouble()).isZero();
        assertThat(report.get("images").asInt()).isEqualTo(3);
        assertThat(report.get("abs_rel").asDouble()).isCloseTo(expected.metrics().absRel(), within(1e-9));
        assertThat(report.get("a1").asDouble()).isCloseTo(expected.metrics().delta1(), within(1e-9));
        // the same frames median-scaled score differently, so the factor really was applied
        EigenEvaluator median = EigenEvaluator.medianScaling();
        evaluateDirectly(root, frames, 4, median);
        assertThat(report.get("abs_rel").asDouble()).isNotCloseTo(median.report().metrics().absRel(), within(1e-6));
    }

    @Test
    void groundTruthOnlyExportsEveryFrameAsAKittiPng(@TempDir Path dir) throws Exception {
        Path root = kittiRoot();
        List<Integer> frames = IntStream.range(0, 12).boxed().toList();
        Path out = dir.resolve("gt");

        DepthstreamCommandTest.Run result = run("eval", "--data", root.toString(), "--split",
                splitFile(dir, frames).toString(), "--gt-only", out.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        Path folder = out.resolve("2011_09_26_drive_0000_sync/l");
        try (Stream<Path> files = Files.list(out.resolve("2011_09_26_drive_0000_sync/l"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(12);
        }
        long validPixels = 0;
        try (KittiRawArchive archive = KittiRawArchive.open(root)) {
            for (int frame : frames) {
                validPixels += VelodyneGroundTruth.of(archive, DRIVE, frame, KittiCamera.IMAGE_02).validCount();
            }
            DepthMap expected = VelodyneGroundTruth.of(archive, DRIVE, 5, KittiCamera.IMAGE_02);
            DepthMap written = DepthMap.decodeKittiPng(Files.readAllBytes(folder.resolve("0000000005.png")));
            assertThat(written.width()).isEqualTo(expected.width());
            assertThat(written.height()).isEqualTo(expected.height());
            assertThat(written.validCount()).isEqualTo(expected.validCount()).isPositive();
            for (int i = 0; i < expected.depth().length; i++) {
                assertThat(written.depth()[i]).as("pixel %d", i).isCloseTo(expected.depth()[i], within(1f / 256));
            }
        }
        assertThat(result.out()).contains("wrote 12 ground-truth depth maps").contains(validPixels + " valid pixels");
        assertThat(result.err()).contains("12/12 100%");
    }

    @Test
    void aMissingFrameIsOneLineNamingItAndNothingIsEvaluated(@TempDir Path dir) throws Exception {
        Path root = kittiRoot();
        Path json = dir.resolve("metrics.json");

        DepthstreamCommandTest.Run result = run("eval", "--data", root.toString(), "--split",
                splitFile(dir, List.of(3, 42, 4)).toString(), "--weights", weights.toString(), "--json", json.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("error: ").contains("line 2").contains("frame 42")
                .contains("0000000042.png").contains(DRIVE.toString());
        assertThat(json).doesNotExist();
    }

    @Test
    void aMissingDriveIsOneLineNamingIt(@TempDir Path dir) throws Exception {
        Path root = kittiRoot();
        Path split = dir.resolve("split.txt");
        Files.writeString(split, "2011_09_26/2011_09_26_drive_0099_sync 3 l\n");

        DepthstreamCommandTest.Run result = run("eval", "--data", root.toString(), "--split", split.toString(),
                "--gt-only", dir.resolve("gt").toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("error: ").contains("2011_09_26_drive_0099_sync");
    }

    @Test
    void weightsOrGtOnlyMustBeGiven(@TempDir Path dir) {
        DepthstreamCommandTest.Run neither = run("eval", "--data", dir.toString(), "--split", dir.resolve("s").toString());
        DepthstreamCommandTest.Run both = run("eval", "--data", dir.toString(), "--split", dir.resolve("s").toString(),
                "--gt-only", dir.toString(), "--json", dir.resolve("m.json").toString());

        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).contains("give --weights WEIGHTS to evaluate a model, or --gt-only OUT_DIR");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--json applies only to evaluating weights");
    }

    @Test
    void aBadScaleIsAUsageError(@TempDir Path dir) {
        DepthstreamCommandTest.Run result = run("eval", "--data", dir.toString(), "--split", dir.toString(),
                "--weights", dir.toString(), "--scale", "-2");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("--scale").contains("positive");
    }

    @Test
    void helpDescribesBothModes() {
        DepthstreamCommandTest.Run result = run("eval", "--help");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("--weights=WEIGHTS").contains("--gt-only=OUT_DIR").contains("--scale=median|FACTOR")
                .contains("--batch=N").contains("--json=OUT").contains("--csv=PER_IMAGE").contains("16-bit KITTI");
    }
}
