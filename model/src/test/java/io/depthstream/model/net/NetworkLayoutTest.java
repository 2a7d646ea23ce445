package io.depthstream.model.net;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkLayoutTest {

    static JsonNode torchvision() throws Exception {
        try (InputStream in = NetworkLayoutTest.class.getResourceAsStream("/golden/net/torchvision_names.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Map<String, List<Long>> shapes(Map<String, Parameter> parameters) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        parameters.forEach((name, parameter) -> {
            List<Long> dims = new ArrayList<>();
            for (long dim : parameter.getArray().getShape().getShape()) {
                dims.add(dim);
            }
            out.put(name, dims);
        });
        return out;
    }

    static Map<String, List<Long>> expected(JsonNode node) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            List<Long> dims = new ArrayList<>();
            field.getValue().forEach(dim -> dims.add(dim.asLong()));
            out.put(field.getKey(), dims);
        }
        return out;
    }

    @Test
    void encodersHaveTorchvisionNamesAndShapes() throws Exception {
        JsonNode golden = torchvision();
        try (NDManager manager = Engine.getInstance().newBaseManager(Device.cpu())) {
            for (Architecture architecture : List.of(Architecture.RESNET18, Architecture.RESNET50)) {
                ModelConfig config = ModelConfig.monodepth2(architecture).withSize(64, 64);
                DepthNet depth = new DepthNet(config);
                depth.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
                PoseNet pose = new PoseNet(config);
                pose.initialize(manager, DataType.FLOAT32, new Shape(1, 6, 64, 64));

                assertThat(shapes(depth.encoderTorchParameters()))
                        .containsExactlyEntriesOf(expected(golden.get(architecture.configName() + "_1")));
                assertThat(shapes(pose.encoderTorchParameters()))
                        .containsExactlyEntriesOf(expected(golden.get(architecture.configName() + "_2")));
            }
        }
    }

    @Test
    void decodersUseMonodepth2ModuleListNames() {
        try (NDManager manager = Engine.getInstance().newBaseManager(Device.cpu())) {
            ModelConfig config = ModelConfig.monodepth2(Architecture.RESNET18).withSize(64, 64);
            DepthNet depth = new DepthNet(config);
            depth.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            PoseNet pose = new PoseNet(config);
            pose.initialize(manager, DataType.FLOAT32, new Shape(1, 6, 64, 64));

            Map<String, List<Long>> decoder = shapes(depth.decoderTorchParameters());
            // upconv(4,0): 512 -> 256; upconv(4,1): 256 + skip 256 -> 256; ... upconv(0,1): 16 -> 16
            assertThat(decoder.get("decoder.0.conv.conv.weight")).containsExactly(256L, 512L, 3L, 3L);
            assertThat(decoder.get("decoder.1.conv.conv.weight")).containsExactly(256L, 512L, 3L, 3L);
            assertThat(decoder.get("decoder.8.conv.conv.weight")).containsExactly(16L, 32L, 3L, 3L);
            assertThat(decoder.get("decoder.9.conv.conv.weight")).containsExactly(16L, 16L, 3L, 3L);
            assertThat(decoder.get("decoder.10.conv.weight")).containsExactly(1L, 16L, 3L, 3L);
            assertThat(decoder.get("decoder.13.conv.weight")).containsExactly(1L, 128L, 3L, 3L);
            assertThat(decoder).hasSize(2 * 14);

            Map<String, List<Long>> poseDecoder = shapes(pose.decoderTorchParameters());
            assertThat(poseDecoder.keySet()).containsExactly(
                    "net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias",
                    "net.2.weight", "net.2.bias", "net.3.weight", "net.3.bias");
            assertThat(poseDecoder.get("net.0.weight")).containsExactly(256L, 512L, 1L, 1L);
            assertThat(poseDecoder.get("net.3.weight")).containsExactly(12L, 256L, 1L, 1L);
        }
    }

    @Test
    void liteNetworksProduceEveryScaleAndFeatureMap() {
        try (NDManager manager = Engine.getInstance().newBaseManager(Device.cpu())) {
            ModelConfig config = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 96);
            DepthNet depth = new DepthNet(config);
            depth.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 64, 96));
            PoseNet pose = new PoseNet(config);
            pose.initialize(manager, DataType.FLOAT32, new Shape(2, 6, 64, 96));
            ParameterStore store = new ParameterStore(manager, false);

            NDArray images = manager.randomUniform(0f, 1f, new Shape(2, 3, 64, 96));
            DepthOutput out = DepthOutput.of(depth.forward(store, new NDList(images), false), 4);
            NDList motion = pose.forward(store, new NDList(images.concat(images, 1)), false);

            for (int s = 0; s < 4; s++) {
                assertThat(out.disparities().get(s).getShape()).isEqualTo(new Shape(2, 1, 64 >> s, 96 >> s));
                float[] values = out.disparities().get(s).toFloatArray();
                for (float v : values) {
                    assertThat(v).isBetween(0f, 1f);
                }
            }
            assertThat(out.feature(1).getShape()).isEqualTo(new Shape(2, 32, 32, 48));
            assertThat(out.feature(2).getShape()).isEqualTo(new Shape(2, 64, 16, 24));
            assertThat(out.feature(3).getShape()).isEqualTo(new Shape(2, 128, 8, 12));
            assertThat(depth.getOutputShapes(new Shape[] {new Shape(2, 3, 64, 96)}))
                    .extracting(Shape::toString)
                    .containsExactly("(2, 1, 64, 96)", "(2, 1, 32, 48)", "(2, 1, 16, 24)", "(2, 1, 8, 12)",
                            "(2, 32, 32, 48)", "(2, 64, 16, 24)", "(2, 128, 8, 12)");
            assertThat(motion.get(0).getShape()).isEqualTo(new Shape(2, 3));
            assertThat(motion.get(1).getShape()).isEqualTo(new Shape(2, 3));
        }
    }
}
