package io.depthstream.pipeline.cli;

import ai.djl.Device;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.Monodepth2Import;
import io.depthstream.model.io.Npy;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
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

class InferCommandTest {

    @TempDir
    static Path shared;
    static Path weights;

    @BeforeAll
    static void weights() {
        weights = shared.resolve("weights");
        try (DepthModel model = Monodepth2Import.load(ImportMonodepth2CommandTest.GOLDEN, Device.cpu()).model()) {
            ModelWeights.save(model, weights, Map.of());
        }
    }

    static RgbImage texture(int width, int height, long seed) {
        Random random = new Random(seed);
        byte[] rgb = new byte[width * height * 3];
        random.nextBytes(rgb);
        return new RgbImage(width, height, rgb);
    }

    @Test
    void writesDisparityDepthAndColourPerImage(@TempDir Path dir) throws Exception {
        RgbImage large = texture(192, 128, 1);
        Path image = dir.resolve("frame.png");
        Files.write(image, large.encodePng());
        Path out = dir.resolve("out");

        DepthstreamCommandTest.Run result = run("infer", "--weights", weights.toString(), "--output-dir", out.toString(),
                image.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        float[] expected;
        try (DepthModel model = ModelWeights.load(weights, Device.cpu())) {
            expected = new DepthPredictor(model).disparity(List.of(ImageResizer.resize(large, 96, 64).toChwFloats()))[0];
        }
        Npy disparity = Npy.read(out.resolve("frame_disp.npy"));
        assertThat(disparity.shape()).containsExactly(1, 1, 64, 96);
        assertThat(disparity.toFloatArray()).containsExactly(expected, within(1e-6f));

        DepthMap depth = DepthMap.decodeKittiPng(Files.readAllBytes(out.resolve("frame_depth.png")));
        assertThat(depth.width()).isEqualTo(192);
        assertThat(depth.height()).isEqualTo(128);
        // pixel (1,1) of the 2x enlargement lies at source (0.25, 0.25): clamped to source pixel 0
        float expectedDepth = (float) (1.0 / (0.01 + (10 - 0.01) * expected[0]));
        assertThat(depth.get(0, 0)).isCloseTo(expectedDepth, within(1 / 256f));
        RgbImage colour = RgbImage.decode(Files.readAllBytes(out.resolve("frame_depth_color.png")));
        assertThat(colour.width()).isEqualTo(192);
        assertThat(colour.height()).isEqualTo(128);
    }

    @Test
    void aBadImageIsSkippedAndReportedWhileTheOthersAreWritten(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.png");
        Files.write(good, texture(96, 64, 2).encodePng());
        Path bad = dir.resolve("bad.jpg");
        Files.writeString(bad, "not an image");
        Path out = dir.resolve("out");

        DepthstreamCommandTest.Run result = run("infer", "--weights", weights.toString(), "--output-dir", out.toString(),
                bad.toString(), good.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("skipped " + bad);
        assertThat(out.resolve("good_disp.npy")).isRegularFile();
        assertThat(out.resolve("bad_disp.npy")).doesNotExist();
        assertThat(result.out()).contains("1 of 2 images");
    }

    @Test
    void refusesToRunWithoutWeights(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("a.png");
        Files.write(image, texture(96, 64, 3).encodePng());

        DepthstreamCommandTest.Run result = run("infer", "--output-dir", dir.toString(), image.toString());

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("randomly initialised network is not a model");
    }

    @Test
    void seededRandomModelsAreAvailableForExperiments(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("a.png");
        Files.write(image, texture(96, 64, 3).encodePng());

        DepthstreamCommandTest.Run result = run("infer", "--init", "random", "--seed", "4", "--arch", "lite",
                "--height", "64", "--width", "96", "--output-dir", dir.resolve("o").toString(), image.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(dir.resolve("o/a_depth.png")).isRegularFile();
    }
}
