package io.depthstream.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The Java networks against an independent PyTorch build of the monodepth2 architecture (golden/monodepth2). */
class Monodepth2ImportTest {

    static Path golden() throws Exception {
        return Paths.get(Monodepth2ImportTest.class.getResource("/golden/monodepth2/encoder.pth").toURI()).getParent();
    }

    static float[] golden(String name) throws Exception {
        return Npy.read(golden().resolve(name)).toFloatArray();
    }

    static void assertMatchesPyTorch(DepthModel model) throws Exception {
        try (NDManager batch = model.manager().newSubManager()) {
            NDArray input = batch.create(golden("input.npy"), new Shape(2, 3, 64, 96));
            DepthOutput out = model.depth(input, false);
            for (int s = 0; s < 4; s++) {
                assertThat(out.disparities().get(s).toFloatArray()).as("disparity at scale %d", s)
                        .containsExactly(golden("disp_" + s + ".npy"), within(1e-4f));
            }
            assertThat(model.disparityForInference(input).toFloatArray()).as("folded inference")
                    .containsExactly(golden("disp_0.npy"), within(1e-4f));
            NDList foldedPose = model.poseForInference(input.get("0:1"), input.get("1:2"));
            assertThat(foldedPose.get(1).toFloatArray()).containsExactly(golden("translation.npy"), within(1e-6f));
            float[] feature3 = golden("feature_3.npy");
            float[] actual3 = out.feature(3).toFloatArray();
            for (int i = 0; i < feature3.length; i++) {
                assertThat(actual3[i]).isCloseTo(feature3[i], within(1e-4f * Math.max(1f, Math.abs(feature3[i]))));
            }
            double[] sums = Npy.read(golden().resolve("feature_sums.npy")).data();
            for (int s = 1; s <= 3; s++) {
                double sum = out.feature(s).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).sum().getDouble();
                assertThat(sum).as("feature sum at scale %d", s).isCloseTo(sums[s - 1], within(1e-4 * Math.abs(sums[s - 1])));
            }
            NDList pose = model.pose(input.get("0:1"), input.get("1:2"), false);
            assertThat(pose.get(0).toFloatArray()).containsExactly(golden("axisangle.npy"), within(1e-6f));
            assertThat(pose.get(1).toFloatArray()).containsExactly(golden("translation.npy"), within(1e-6f));
        }
    }

    @Test
    void importedNetworksReproducePyTorchOutputs() throws Exception {
        Monodepth2Import.Result result = Monodepth2Import.load(golden(), Device.cpu());
        try (DepthModel model = result.model()) {
            assertThat(result.poseImported()).isTrue();
            assertThat(model.config().architecture()).isEqualTo(Architecture.LITE);
            assertThat(model.config().height()).isEqualTo(64);
            assertThat(model.config().width()).isEqualTo(96);
            assertMatchesPyTorch(model);
        }
    }

    @Test
    void convertedWeightsLoadToTheSameNetworks(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("weights");

        try (DepthModel imported = Monodepth2Import.load(golden(), Device.cpu()).model()) {
            ModelWeights.save(imported, weights, java.util.Map.of("source", "monodepth2 checkpoint"));
        }

        try (DepthModel model = ModelWeights.load(weights, Device.cpu())) {
            assertMatchesPyTorch(model);
        }
        assertThat(ModelWeights.readMetadata(weights).get("source").asText()).isEqualTo("monodepth2 checkpoint");
    }

    @Test
    void poseFilesAreOptional(@TempDir Path dir) throws Exception {
        for (String file : new String[] {"encoder.pth", "depth.pth"}) {
            Files.copy(golden().resolve(file), dir.resolve(file));
        }
        Monodepth2Import.Result result = Monodepth2Import.load(dir, Device.cpu());
        try (DepthModel model = result.model()) {
            assertThat(result.poseImported()).isFalse();
            try (NDManager batch = model.manager().newSubManager()) {
                NDArray input = batch.create(golden("input.npy"), new Shape(2, 3, 64, 96));
                assertThat(model.depth(input, false).disparities().get(0).toFloatArray())
                        .containsExactly(golden("disp_0.npy"), within(1e-4f));
            }
        }
    }

    @Test
    void misspeltKeyIsNamed(@TempDir Path dir) throws Exception {
        for (String file : new String[] {"encoder.pth", "pose_encoder.pth", "pose.pth"}) {
            Files.copy(golden().resolve(file), dir.resolve(file));
        }
        Files.copy(golden().resolve("depth_renamed_key.pth"), dir.resolve("depth.pth"), StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> Monodepth2Import.load(dir, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining(dir.resolve("depth.pth").toString())
                .hasMessageContaining("unknown key decoder.3.conv.conv.weights");
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws Exception {
        Files.copy(golden().resolve("encoder.pth"), dir.resolve("encoder.pth"));

        assertThatThrownBy(() -> Monodepth2Import.load(dir, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining(dir.resolve("depth.pth") + ": is missing");
        assertThatThrownBy(() -> Monodepth2Import.load(dir.resolve("absent"), Device.cpu()))
                .hasMessageContaining("does not exist");
    }
}
