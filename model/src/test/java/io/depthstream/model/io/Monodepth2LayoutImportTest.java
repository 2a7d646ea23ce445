package io.depthstream.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.io.Monodepth2Import.SkipReason;
import io.depthstream.model.io.Monodepth2Import.SkippedKey;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Checkpoints with the keys and shapes monodepth2's training writes (golden/monodepth2_layout): encoders wrapping a
 * whole torchvision ResNet-18/50, ImageNet classifier and batch counters included, against PyTorch's outputs.
 */
class Monodepth2LayoutImportTest {

    static Path golden(String architecture) throws Exception {
        return Paths.get(Monodepth2LayoutImportTest.class.getResource("/golden/monodepth2_layout/" + architecture
                + "/encoder.pth").toURI()).getParent();
    }

    static float[] npy(String architecture, String name) throws Exception {
        return Npy.read(golden(architecture).resolve(name)).toFloatArray();
    }

    @ParameterizedTest
    @CsvSource({"resnet18, 20", "resnet50, 53"})
    void importedNetworksReproducePyTorchOutputs(String name, int batchNorms) throws Exception {
        Monodepth2Import.Result result = Monodepth2Import.load(golden(name), Device.cpu());
        try (DepthModel model = result.model()) {
            assertThat(result.poseImported()).isTrue();
            assertThat(model.config().architecture()).isEqualTo(Architecture.parse(name));
            assertThat(model.config().height()).isEqualTo(64);
            assertThat(model.config().width()).isEqualTo(96);
            try (NDManager batch = model.manager().newSubManager()) {
                NDArray input = batch.create(npy(name, "input.npy"), new Shape(2, 3, 64, 96));
                DepthOutput out = model.depth(input, false);
                for (int s = 0; s < 4; s++) {
                    assertThat(out.disparities().get(s).toFloatArray()).as("%s disparity at scale %d", name, s)
                            .containsExactly(npy(name, "disp_" + s + ".npy"), within(1e-4f));
                }
                assertThat(model.disparityForInference(input).toFloatArray()).as("folded inference")
                        .containsExactly(npy(name, "disp_0.npy"), within(1e-4f));
                NDList pose = model.pose(input.get("0:1"), input.get("1:2"), false);
                assertThat(pose.get(0).toFloatArray()).as("axisangle")
                        .containsExactly(npy(name, "axisangle.npy"), within(1e-6f));
                assertThat(pose.get(1).toFloatArray()).as("translation")
                        .containsExactly(npy(name, "translation.npy"), within(1e-6f));
            }
        }

        List<SkippedKey> skipped = result.skipped();
        assertThat(skipped).filteredOn(key -> key.reason() == SkipReason.CLASSIFIER).containsExactly(
                new SkippedKey("encoder.pth", "encoder.fc.weight", SkipReason.CLASSIFIER),
                new SkippedKey("encoder.pth", "encoder.fc.bias", SkipReason.CLASSIFIER),
                new SkippedKey("pose_encoder.pth", "encoder.fc.weight", SkipReason.CLASSIFIER),
                new SkippedKey("pose_encoder.pth", "encoder.fc.bias", SkipReason.CLASSIFIER));
        for (String file : List.of("encoder.pth", "pose_encoder.pth")) {
            assertThat(skipped).as("batch counters of %s", file)
                    .filteredOn(key -> key.file().equals(file) && key.reason() == SkipReason.BATCH_COUNTER)
                    .hasSize(batchNorms)
                    .allSatisfy(key -> assertThat(key.key()).endsWith(".num_batches_tracked"));
        }
        assertThat(skipped).filteredOn(key -> key.reason() == SkipReason.PLAIN_VALUE)
                .containsExactly(new SkippedKey("encoder.pth", "use_stereo", SkipReason.PLAIN_VALUE));
        assertThat(skipped).hasSize(4 + 2 * batchNorms + 1);
    }

    @Test
    void anotherClassifierKeyIsStillRefusedByName(@TempDir Path dir) throws Exception {
        for (String file : new String[] {"depth.pth", "pose_encoder.pth", "pose.pth"}) {
            Files.copy(golden("resnet18").resolve(file), dir.resolve(file));
        }
        Files.copy(golden("resnet18").resolve("encoder_extra_fc_key.pth"), dir.resolve("encoder.pth"));

        assertThatThrownBy(() -> Monodepth2Import.load(dir, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining(dir.resolve("encoder.pth").toString())
                .hasMessageContaining("unknown key encoder.fc.scale");
    }

    @ParameterizedTest
    @CsvSource({"depth_with_classifier.pth, encoder.fc.weight", "depth_with_counter.pth, decoder.0.conv.num_batches_tracked"})
    void unusedKeysAreOnlySkippedWhereMonodepth2WritesThem(String depthFile, String key, @TempDir Path dir)
            throws Exception {
        // the classifier belongs to the encoders' files, a batch counter beside a batch norm; the decoder has neither
        for (String file : new String[] {"encoder.pth", "pose_encoder.pth", "pose.pth"}) {
            Files.copy(golden("resnet18").resolve(file), dir.resolve(file));
        }
        Files.copy(golden("resnet18").resolve(depthFile), dir.resolve("depth.pth"));

        assertThatThrownBy(() -> Monodepth2Import.load(dir, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining(dir.resolve("depth.pth").toString())
                .hasMessageContaining("unknown key " + key + " ");
    }
}
