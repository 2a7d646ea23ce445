package io.depthstream.pipeline.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.Monodepth2Import;
import io.depthstream.model.io.Npy;
import io.depthstream.model.io.Npz;
import io.depthstream.model.loss.DifferentialTripletConfig;
import io.depthstream.model.loss.PhotometricLoss;
import io.depthstream.model.loss.PhotometricLossConfig;
import io.depthstream.model.loss.SemanticTripletConfig;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.LossReport;
import io.depthstream.model.train.ParameterGradients;
import io.depthstream.model.train.SelfSupervisedObjective;
import io.depthstream.model.train.TrainingSample;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.depthstream.pipeline.cli.DepthstreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LossCommandTest {

    @TempDir
    static Path dir;
    static Path weights;
    static Path[] frames = new Path[3];
    static Path semantic;
    static SemanticMap objects;

    /** A smooth texture sliding sideways by 2 pixels per frame, at the golden model's 96x64. */
    static RgbImage frame(double shift) {
        byte[] rgb = new byte[96 * 64 * 3];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                for (int c = 0; c < 3; c++) {
                    double u = x + shift;
                    double v = 0.5 + 0.3 * Math.sin(0.3 * u + c) * Math.cos(0.2 * y) + 0.15 * Math.cos(0.5 * u - 0.4 * y);
                    rgb[(y * 96 + x) * 3 + c] = (byte) Math.round(255 * Math.max(0, Math.min(1, v)));
                }
            }
        }
        return new RgbImage(96, 64, rgb);
    }

    @BeforeAll
    static void prepare() throws Exception {
        weights = dir.resolve("weights");
        try (DepthModel model = Monodepth2Import.load(ImportMonodepth2CommandTest.GOLDEN, Device.cpu()).model()) {
            ModelWeights.save(model, weights, Map.of());
        }
        for (int i = 0; i < 3; i++) {
            frames[i] = dir.resolve("f" + i + ".png");
            Files.write(frames[i], frame(2.0 * (i - 1)).encodePng());
        }
        // two objects: a box in the middle (class 7) on a background (class 0)
        int[] classes = new int[96 * 64];
        for (int y = 16; y < 48; y++) {
            for (int x = 30; x < 70; x++) {
                classes[y * 96 + x] = 7;
            }
        }
        objects = new SemanticMap(96, 64, classes);
        semantic = dir.resolve("semantic.png");
        Files.write(semantic, objects.encodePng());
    }

    static JsonNode loss(String... extra) throws Exception {
        String[] base = {"loss", "--weights", weights.toString(), "--prev", frames[0].toString(),
            "--cur", frames[1].toString(), "--next", frames[2].toString(), "--seed", "7"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        DepthstreamCommandTest.Run result = run(args);
        assertThat(result.exit()).as(result.err()).isZero();
        return new ObjectMapper().readTree(result.out());
    }

    @Test
    void printsTheTermsTheTrainingCodeComputes() throws Exception {
        JsonNode json = loss();

        LossReport expected;
        try (DepthModel model = ModelWeights.load(weights, Device.cpu())) {
            SelfSupervisedObjective objective = new SelfSupervisedObjective(
                    new PhotometricLoss(PhotometricLossConfig.monodepth2(), new Random(7)));
            float[][] images = new float[3][];
            for (int i = 0; i < 3; i++) {
                images[i] = RgbImage.decode(Files.readAllBytes(frames[i])).toChwFloats();
            }
            expected = objective.measure(model, List.of(
                    new TrainingSample(images[0], images[1], images[2], Intrinsics.kittiNormalised(96, 64))));
        }
        assertThat(json.get("total").asDouble()).isCloseTo(expected.total(), within(1e-7));
        assertThat(json.get("photometric").asDouble()).isCloseTo(expected.terms().get("photometric"), within(1e-7));
        assertThat(json.get("scales")).hasSize(4);
        for (int s = 0; s < 4; s++) {
            JsonNode scale = json.get("scales").get(s);
            assertThat(scale.get("photometric").asDouble()).isCloseTo(expected.photometric().get(s), within(1e-7));
            assertThat(scale.get("smoothness").asDouble()).isCloseTo(expected.smoothness().get(s), within(1e-7));
            assertThat(scale.get("automask_identity_share").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(json.at("/settings/automask").asBoolean()).isTrue();
        assertThat(loss().get("total").asDouble()).as("same seed, same numbers").isEqualTo(json.get("total").asDouble());
    }

    @Test
    void ablationSwitchesChangeTheLoss() throws Exception {
        JsonNode noMask = loss("--no-automask");
        JsonNode average = loss("--avg-reprojection");
        JsonNode lowRes = loss("--no-full-res");
        JsonNode full = loss();

        assertThat(noMask.at("/scales/0/automask_identity_share").asDouble()).isZero();
        assertThat(noMask.at("/settings/automask").asBoolean()).isFalse();
        assertThat(average.get("total").asDouble()).isGreaterThanOrEqualTo(full.get("total").asDouble());
        assertThat(lowRes.at("/settings/full_resolution").asBoolean()).isFalse();
        assertThat(lowRes.at("/scales/3/photometric").asDouble()).isNotEqualTo(full.at("/scales/3/photometric").asDouble());
    }

    @Test
    void intrinsicsAreRescaledFromTheImagesToTheNetwork() throws Exception {
        JsonNode json = loss("--fx", "100", "--fy", "90", "--cx", "48", "--cy", "32");

        assertThat(json.at("/settings/intrinsics_at_network_size/fx").asDouble()).isEqualTo(100.0);
        DepthstreamCommandTest.Run partial = run("loss", "--weights", weights.toString(), "--prev", frames[0].toString(),
                "--cur", frames[1].toString(), "--next", frames[2].toString(), "--fx", "100");
        assertThat(partial.exit()).isEqualTo(2);
        assertThat(partial.err()).contains("all of --fx --fy --cx --cy");
    }

    @Test
    void refusesRandomWeightsUnlessAskedFor() {
        DepthstreamCommandTest.Run result = run("loss", "--prev", frames[0].toString(), "--cur", frames[1].toString(),
                "--next", frames[2].toString());

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("not a model");
    }

    @Test
    void tripletTermsPerScaleAsTheTrainingCodeComputesThem() throws Exception {
        JsonNode json = loss("--triplet", "fsre", "--semantic", semantic.toString());

        LossReport expected;
        try (DepthModel model = ModelWeights.load(weights, Device.cpu())) {
            LossConfig config = LossConfig.of(PhotometricLossConfig.monodepth2().withDepthRange(
                    model.config().depthRange())).withSemanticTriplet(SemanticTripletConfig.fsre());
            float[][] images = new float[3][];
            for (int i = 0; i < 3; i++) {
                images[i] = RgbImage.decode(Files.readAllBytes(frames[i])).toChwFloats();
            }
            expected = new SelfSupervisedObjective(config, new Random(7)).measure(model, List.of(new TrainingSample(
                    images[0], images[1], images[2], Intrinsics.kittiNormalised(96, 64), objects)));
        }
        assertThat(json.get("triplet_fsre").asDouble()).isCloseTo(expected.term("triplet_fsre"), within(1e-7));
        assertThat(json.get("total").asDouble()).isCloseTo(expected.total(), within(1e-7));
        JsonNode term = json.get("triplet").get(0);
        assertThat(term.get("term").asText()).isEqualTo("triplet_fsre");
        assertThat(term.get("weighted").asDouble()).isCloseTo(expected.term("triplet_fsre"), within(1e-7));
        assertThat(term.get("scales")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode scale = term.get("scales").get(i);
            assertThat(scale.get("scale").asInt()).isEqualTo(3 - i);
            assertThat(scale.get("loss").asDouble()).isCloseTo(expected.triplet().get(i).loss(), within(1e-7));
            assertThat(scale.get("boundary_pixels").asLong()).isEqualTo(expected.triplet().get(i).boundaryPixels())
                    .isPositive();
        }
        assertThat(json.at("/settings/triplet").asText()).isEqualTo("fsre");
        assertThat(json.at("/settings/boundaries").asText()).isEqualTo("semantic_or_depth");
    }

    @Test
    void differentialTermPerScaleAsTheTrainingCodeComputesIt() throws Exception {
        JsonNode json = loss("--triplet", "differential");

        LossReport expected;
        try (DepthModel model = ModelWeights.load(weights, Device.cpu())) {
            LossConfig config = LossConfig.of(PhotometricLossConfig.monodepth2().withDepthRange(
                    model.config().depthRange())).withDifferentialTriplet(DifferentialTripletConfig.selfSupervised());
            float[][] images = new float[3][];
            for (int i = 0; i < 3; i++) {
                images[i] = RgbImage.decode(Files.readAllBytes(frames[i])).toChwFloats();
            }
            expected = new SelfSupervisedObjective(config, new Random(7)).measure(model, List.of(new TrainingSample(
                    images[0], images[1], images[2], Intrinsics.kittiNormalised(96, 64))));
        }
        assertThat(json.get("triplet_differential").asDouble()).isPositive()
                .isCloseTo(expected.term("triplet_differential"), within(1e-7));
        assertThat(json.get("total").asDouble()).isCloseTo(expected.total(), within(1e-7))
                .isCloseTo(json.get("photometric").asDouble() + json.get("smoothness").asDouble()
                        + json.get("triplet_differential").asDouble(), within(1e-6));
        assertThat(json.has("triplet_fsre")).isFalse();
        assertThat(json.get("triplet")).hasSize(1);
        JsonNode term = json.get("triplet").get(0);
        assertThat(term.get("term").asText()).isEqualTo("triplet_differential");
        assertThat(term.get("scales")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode scale = term.get("scales").get(i);
            assertThat(scale.get("scale").asInt()).isEqualTo(3 - i);
            assertThat(scale.get("loss").asDouble()).isCloseTo(expected.triplet().get(i).loss(), within(1e-7));
            assertThat(scale.get("boundary_pixels").asLong()).isEqualTo(expected.triplet().get(i).boundaryPixels())
                    .isPositive();
        }
        assertThat(json.at("/settings/triplet").asText()).isEqualTo("differential");
        assertThat(loss("--triplet", "differential").get("triplet_differential").asDouble())
                .as("same seed, same rolls").isEqualTo(json.get("triplet_differential").asDouble());
    }

    @Test
    void gradientsFileHoldsEveryTrainableParameterAsTheTrainingPassComputesIt() throws Exception {
        Path out = dir.resolve("grads").resolve("fsre.npz");
        JsonNode json = loss("--triplet", "fsre", "--semantic", semantic.toString(), "--gradients", out.toString());

        ParameterGradients.Result expected;
        try (DepthModel model = ModelWeights.load(weights, Device.cpu())) {
            LossConfig config = LossConfig.of(PhotometricLossConfig.monodepth2().withDepthRange(model.config().depthRange()))
                    .withSemanticTriplet(SemanticTripletConfig.fsre());
            float[][] images = new float[3][];
            for (int i = 0; i < 3; i++) {
                images[i] = RgbImage.decode(Files.readAllBytes(frames[i])).toChwFloats();
            }
            expected = ParameterGradients.compute(model, new SelfSupervisedObjective(config, new Random(7)), List.of(
                    new TrainingSample(images[0], images[1], images[2], Intrinsics.kittiNormalised(96, 64), objects)));
        }
        // the JSON is the training-mode loss the gradients belong to, not the inference-mode one printed without
        assertThat(json.get("total").asDouble()).isCloseTo(expected.report().total(), within(1e-7));
        assertThat(json.get("total").asDouble()).isNotCloseTo(
                loss("--triplet", "fsre", "--semantic", semantic.toString()).get("total").asDouble(), within(1e-6));
        assertThat(json.at("/settings/batch_norm").asText()).isEqualTo("batch statistics");

        Map<String, Npy> written = Npz.read(out);
        assertThat(written.keySet()).containsExactlyElementsOf(expected.gradients().keySet())
                .contains("encoder/encoder.layer1.0.conv1.weight", "depth/decoder.9.conv.conv.bias",
                        "pose_encoder/encoder.conv1.weight", "pose/net.3.weight")
                .noneMatch(key -> key.contains("running_"));
        expected.gradients().forEach((key, gradient) -> {
            Npy array = written.get(key);
            assertThat(array.shape()).as(key).containsExactly(gradient.shape());
            float[] values = array.toFloatArray();
            float[] wanted = gradient.values();
            assertThat(values).as(key).hasSameSizeAs(wanted);
            // a loop, not containsExactly: AssertJ's element-wise comparison of 600k floats takes minutes
            for (int i = 0; i < wanted.length; i++) {
                if (values[i] != wanted[i]) {
                    assertThat(values[i]).as("%s[%d]", key, i).isCloseTo(wanted[i], within(1e-9f));
                }
            }
        });
        float largest = 0;
        for (float v : expected.gradients().get("pose/net.3.weight").values()) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertThat(largest).as("gradients reach the pose decoder").isPositive();
    }

    @Test
    void numpyReadsTheGradientsFile() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
        Path out = dir.resolve("numpy.npz");
        loss("--no-automask", "--gradients", out.toString());
        Process process = new ProcessBuilder(python.toString(), "-c", String.join("\n",
                "import sys, numpy as np",
                "z = np.load(sys.argv[1])",
                "a = z['depth/decoder.9.conv.conv.bias']",
                "print(len(z.files), a.dtype, a.shape, repr(float(a.astype('f8').sum())))"), out.toString())
                .redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes()).trim();
        Assumptions.assumeFalse(process.waitFor() != 0 && printed.contains("No module named 'numpy'"), printed);
        assertThat(process.exitValue()).as(printed).isZero();
        Map<String, Npy> read = Npz.read(out);
        double sum = 0;
        for (float v : read.get("depth/decoder.9.conv.conv.bias").toFloatArray()) {
            sum += v;
        }
        String[] fields = printed.split(" ", 4);
        assertThat(Integer.parseInt(fields[0])).isEqualTo(read.size());
        assertThat(fields[1] + " " + fields[2]).isEqualTo("float32 (16,)");
        assertThat(Double.parseDouble(fields[3])).isCloseTo(sum, within(1e-12));
    }

    @Test
    void helpExplainsWhyThePretextTermIsNotOffered() {
        DepthstreamCommandTest.Run help = run("loss", "--help");
        assertThat(help.exit()).isZero();
        // picocli wraps the description at the terminal width
        assertThat(help.out().replaceAll("\\s+", " ")).contains("--triplet differential")
                .contains("pretext term of training is not offered")
                .contains("--gradients OUT.npz");
    }

    @Test
    void isolatedTermFallsBackToDepthBoundariesWithoutASemanticMap() throws Exception {
        JsonNode depth = loss("--triplet", "isolated");
        JsonNode semanticOnly = loss("--triplet", "isolated", "--boundaries", "semantic");
        JsonNode none = loss();

        assertThat(depth.get("triplet").get(0).get("term").asText()).isEqualTo("triplet_isolated");
        assertThat(depth.get("triplet_isolated").asDouble()).isPositive();
        // no map and only semantic boundaries: the frame has no labels, the term is there but zero
        assertThat(semanticOnly.get("triplet_isolated").asDouble()).isZero();
        assertThat(semanticOnly.at("/triplet/0/scales/0/boundary_pixels").asLong()).isZero();
        assertThat(semanticOnly.get("total").asDouble()).isCloseTo(none.get("total").asDouble(), within(1e-7));
        assertThat(none.get("triplet")).isEmpty();
        assertThat(none.has("triplet_fsre")).isFalse();
    }

    @Test
    void refusesBadTripletOptions() throws Exception {
        String[] base = {"loss", "--weights", weights.toString(), "--prev", frames[0].toString(),
            "--cur", frames[1].toString(), "--next", frames[2].toString()};
        DepthstreamCommandTest.Run unknown = run(concat(base, "--triplet", "bogus"));
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("none|fsre|isolated|differential");

        Path small = dir.resolve("small.png");
        Files.write(small, new SemanticMap(48, 32, new int[48 * 32]).encodePng());
        DepthstreamCommandTest.Run wrongSize = run(concat(base, "--triplet", "fsre", "--semantic", small.toString()));
        assertThat(wrongSize.exit()).isEqualTo(2);
        assertThat(wrongSize.err()).contains("--semantic is 48x32, --cur is 96x64");

        DepthstreamCommandTest.Run colour = run(concat(base, "--triplet", "fsre", "--semantic", frames[0].toString()));
        assertThat(colour.exit()).isEqualTo(2);
        assertThat(colour.err()).contains("8-bit grayscale");
    }

    private static String[] concat(String[] base, String... extra) {
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return args;
    }
}
