package io.depthstream.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelWeightsTest {

    static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 96);

    static float[][] outputs(DepthModel model, long seed) {
        try (NDManager batch = model.manager().newSubManager()) {
            batch.getEngine().setRandomSeed((int) seed);
            NDArray images = batch.randomUniform(0f, 1f, new Shape(2, 3, 64, 96));
            NDArray disparity = model.depth(images, false).disparities().get(0);
            NDList pose = model.pose(images.get("0:1"), images.get("1:2"), false);
            return new float[][] {disparity.toFloatArray(), pose.get(0).toFloatArray(), pose.get(1).toFloatArray()};
        }
    }

    @Test
    void saveThenLoadGivesIdenticalOutputs(@TempDir Path dir) {
        Path weights = dir.resolve("w");
        float[][] before;
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 11)) {
            before = outputs(model, 3);
            ModelWeights.save(model, weights, Map.of("source", "test", "step", 42));
        }

        try (DepthModel loaded = ModelWeights.load(weights, Device.cpu())) {
            assertThat(loaded.config()).isEqualTo(LITE);
            float[][] after = outputs(loaded, 3);
            for (int i = 0; i < before.length; i++) {
                assertThat(after[i]).containsExactly(before[i]);
            }
        }
        assertThat(ModelWeights.readMetadata(weights).get("step").asInt()).isEqualTo(42);
    }

    @Test
    void differentSeedsGiveDifferentModels() {
        try (DepthModel a = DepthModel.initialise(LITE, Device.cpu(), 1);
                DepthModel b = DepthModel.initialise(LITE, Device.cpu(), 2);
                DepthModel c = DepthModel.initialise(LITE, Device.cpu(), 1)) {
            assertThat(outputs(a, 5)[0]).isNotEqualTo(outputs(b, 5)[0]);
            assertThat(outputs(a, 5)[0]).containsExactly(outputs(c, 5)[0]);
        }
    }

    @Test
    void brokenWeightsAreNamedByPath(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> ModelWeights.load(missing, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");

        Path weights = dir.resolve("w");
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 1)) {
            ModelWeights.save(model, weights, Map.of());
        }
        Path depth = weights.resolve("depth.params");
        byte[] bytes = Files.readAllBytes(depth);
        Files.write(depth, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> ModelWeights.load(weights, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining(depth.toString())
                .hasMessageContaining("corrupt");

        Files.delete(depth);
        assertThatThrownBy(() -> ModelWeights.load(weights, Device.cpu()))
                .hasMessageContaining(depth.toString())
                .hasMessageContaining("missing");

        Path config = weights.resolve("config.json");
        String json = Files.readString(config);
        Files.writeString(config, json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> ModelWeights.load(weights, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining(config.toString())
                .hasMessageContaining("is not valid JSON")
                .hasMessageContaining("at line")
                .message().doesNotContain("\n");

        Files.writeString(config, "{\"format\": \"something-else\"}");
        assertThatThrownBy(() -> ModelWeights.load(weights, Device.cpu()))
                .hasMessageContaining("config.json")
                .hasMessageContaining("is not a depthstream-weights file");
    }

    @Test
    void weightsOfAnotherArchitectureAreRefused(@TempDir Path dir) throws Exception {
        Path lite = dir.resolve("lite");
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 1)) {
            ModelWeights.save(model, lite, Map.of());
        }
        String config = Files.readString(lite.resolve("config.json")).replace("\"lite\"", "\"resnet18\"");
        Files.writeString(lite.resolve("config.json"), config);

        assertThatThrownBy(() -> ModelWeights.load(lite, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("depth.params")
                .hasMessageContaining("does not match");
    }

    @Test
    void repeatedInferenceDoesNotGrowLiveArrays() {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 1)) {
            outputs(model, 1);
            int before = model.manager().getManagedArrays().size();
            for (int i = 0; i < 500; i++) {
                outputs(model, i);
            }
            assertThat(model.manager().getManagedArrays()).hasSize(before);
        }
    }
}
