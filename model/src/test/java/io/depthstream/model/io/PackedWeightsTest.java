package io.depthstream.model.io;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PackedWeightsTest {

    private static final ModelConfig LITE = ModelWeightsTest.LITE;

    @Test
    void convolutionsComeBackWithinHalfAQuantisationStepAndEverythingElseExactly(@TempDir Path dir) {
        Path packed = dir.resolve("packed");
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            PackedWeights.pack(model, packed, Map.of("source", "test"));
            try (DepthModel loaded = PackedWeights.load(packed, Device.cpu())) {
                assertThat(loaded.config()).isEqualTo(LITE);
                Map<String, Parameter> original = model.torchParameters();
                Map<String, Parameter> restored = loaded.torchParameters();
                assertThat(restored.keySet()).containsExactlyElementsOf(original.keySet());
                int convolutions = 0;
                for (String name : original.keySet()) {
                    float[] a = original.get(name).getArray().toFloatArray();
                    float[] b = restored.get(name).getArray().toFloatArray();
                    long[] shape = original.get(name).getArray().getShape().getShape();
                    if (shape.length != 4) {
                        assertThat(b).as(name).containsExactly(a);
                        continue;
                    }
                    convolutions++;
                    int perChannel = a.length / (int) shape[0];
                    for (int c = 0; c < shape[0]; c++) {
                        float max = 0f;
                        for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                            max = Math.max(max, Math.abs(a[i]));
                        }
                        float step = max / 127f;
                        for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                            assertThat(Math.abs(b[i] - a[i])).as("%s[%d]", name, i)
                                    .isLessThanOrEqualTo(step * 0.5001f + 1e-12f);
                        }
                    }
                }
                assertThat(convolutions).isGreaterThan(40);

                float[] disparityBefore = ModelWeightsTest.outputs(model, 3)[0];
                float[] disparityAfter = ModelWeightsTest.outputs(loaded, 3)[0];
                double worst = 0;
                for (int i = 0; i < disparityBefore.length; i++) {
                    worst = Math.max(worst, Math.abs(disparityAfter[i] - disparityBefore[i]));
                }
                // 8-bit weights move the sigmoid disparity a little, not a lot
                assertThat(worst).isGreaterThan(0).isLessThan(0.02);
            }
        }
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            // about a quarter of float32: conv weights dominate the model
            long floatBytes = model.torchParameters().values().stream()
                    .mapToLong(p -> p.getArray().size() * 4).sum();
            assertThat(packed.resolve(PackedWeights.FILE).toFile().length()).isLessThan(floatBytes * 3 / 10);
        }
    }

    @Test
    void aTruncatedFileOrAnotherArchitectureIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path packed = dir.resolve("packed");
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            PackedWeights.pack(model, packed, Map.of());
        }
        Path file = packed.resolve(PackedWeights.FILE);
        byte[] bytes = Files.readAllBytes(file);

        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> PackedWeights.load(packed, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");

        Files.write(file, bytes);
        try (DepthModel other = DepthModel.initialise(
                ModelConfig.monodepth2(Architecture.RESNET18).withSize(64, 96), Device.cpu(), 1)) {
            assertThatThrownBy(() -> PackedWeights.read(Files.newInputStream(file), other, file))
                    .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("shape");
        }

        Files.delete(file);
        assertThatThrownBy(() -> PackedWeights.load(packed, Device.cpu()))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("is missing");
    }
}
