package io.depthstream.model.net;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh model starts where monodepth2's does: torchvision's Kaiming-normal (fan-out) in the encoders, PyTorch's
 * default uniform ±1/√fan-in in the decoders, hence disparities near 0.5 and millimetre-to-centimetre poses. With
 * Kaiming-normal decoders the sigmoid starts saturated and training from scratch collapses to a constant depth.
 */
class InitialisationTest {

    private static float[] values(Parameter parameter) {
        return parameter.getArray().toFloatArray();
    }

    private static long fanIn(Shape shape) {
        return shape.size() / shape.get(0);
    }

    private static long fanOut(Shape shape) {
        return shape.get(0) * (shape.dimension() > 2 ? shape.slice(2).size() : 1);
    }

    private static double std(float[] v) {
        double sum = 0;
        double squares = 0;
        for (float x : v) {
            sum += x;
            squares += (double) x * x;
        }
        double mean = sum / v.length;
        return Math.sqrt(squares / v.length - mean * mean);
    }

    @Test
    void encodersAreKaimingNormalAndDecodersUniformWithinTorchsDefaultBound() {
        ModelConfig config = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 192);
        try (DepthModel model = DepthModel.initialise(config, Device.cpu(), 3)) {
            List<String> checked = new ArrayList<>();
            for (EncoderDecoderNet<?> net : List.of(model.depthNet(), model.poseNet())) {
                for (Map.Entry<String, Parameter> e : net.encoderTorchParameters().entrySet()) {
                    Shape shape = e.getValue().getArray().getShape();
                    if (shape.dimension() == 4 && shape.size() >= 2048) {
                        double expected = Math.sqrt(2.0 / fanOut(shape));
                        assertThat(std(values(e.getValue()))).as(e.getKey()).isBetween(0.85 * expected, 1.15 * expected);
                        checked.add(e.getKey());
                    }
                }
                for (Map.Entry<String, Parameter> e : net.decoderTorchParameters().entrySet()) {
                    Shape shape = e.getValue().getArray().getShape();
                    if (shape.dimension() != 4) {
                        continue;
                    }
                    double bound = 1 / Math.sqrt(fanIn(shape));
                    float[] w = values(e.getValue());
                    for (float x : w) {
                        assertThat(Math.abs(x)).as(e.getKey()).isLessThanOrEqualTo((float) bound);
                    }
                    if (w.length >= 2048) {
                        // a uniform distribution on ±b has standard deviation b/√3
                        assertThat(std(w)).as(e.getKey()).isBetween(0.9 * bound / Math.sqrt(3), 1.1 * bound / Math.sqrt(3));
                    }
                    checked.add(e.getKey());
                }
            }
            assertThat(checked).anyMatch(n -> n.startsWith("encoder.")).anyMatch(n -> n.startsWith("decoder."))
                    .anyMatch(n -> n.startsWith("net."));
        }
    }

    @Test
    void aFreshModelPredictsMidRangeDisparitiesAndSmallMotions() {
        ModelConfig config = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 192);
        try (DepthModel model = DepthModel.initialise(config, Device.cpu(), 3);
                NDManager batch = model.manager().newSubManager()) {
            NDArray images = batch.randomUniform(0, 1, new Shape(4, 3, 64, 192));
            NDArray later = batch.randomUniform(0, 1, new Shape(4, 3, 64, 192));
            for (boolean training : new boolean[] {true, false}) {
                float mean = model.depth(images, training).disparities().get(0).mean().getFloat();
                assertThat(mean).as("mean disparity, training=" + training).isBetween(0.3f, 0.7f);
            }
            NDArray translation = model.pose(images, later, true).get(1);
            float largest = translation.abs().max().getFloat();
            assertThat(largest).as("largest initial translation").isLessThan(0.01f);
        }
    }
}
