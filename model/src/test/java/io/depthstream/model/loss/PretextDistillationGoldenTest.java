package io.depthstream.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.depthstream.model.io.Npy;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Parity of the D2G pretext loss and its gradients with PyTorch (golden/pretext/generate.py). */
class PretextDistillationGoldenTest {

    private static final Shape DISPARITY = new Shape(2, 1, 12, 20);
    private static final Shape IMAGE = new Shape(2, 3, 12, 20);

    @Test
    void lossMatchesPyTorchInFloat32() throws Exception {
        double[] expected = read("result.npy").data();
        try (NDManager manager = NDManager.newBaseManager()) {
            PretextHead head = head(manager, DataType.FLOAT32);
            PretextDistillationResult result = new PretextDistillationLoss(PretextDistillationConfig.tripleDNet(), head)
                    .compute(manager.create(read("disparity.npy").toFloatArray(), DISPARITY),
                            manager.create(read("image.npy").toFloatArray(), IMAGE), true);

            assertThat(result.charbonnier().getFloat()).isCloseTo((float) expected[0], within((float) (1e-5 * expected[0])));
            assertThat(result.weighted().getFloat()).isCloseTo((float) expected[1], within((float) (1e-5 * expected[1])));
        }
    }

    @Test
    void gradientsMatchPyTorchInFloat64() throws Exception {
        try (NDManager manager = NDManager.newBaseManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            PretextHead head = head(manager, DataType.FLOAT64);
            NDArray disparity = manager.create(read("disparity.npy").data(), DISPARITY);
            disparity.setRequiresGradient(true);
            PretextDistillationResult result = new PretextDistillationLoss(PretextDistillationConfig.tripleDNet(), head)
                    .compute(disparity, manager.create(read("image.npy").data(), IMAGE), true);
            collector.backward(result.charbonnier());

            assertClose("d/d disparity", disparity.getGradient().toDoubleArray(), read("grad_disparity.npy").data());
            NDArray conv0 = head.parametersByName().get("conv0_weight").getArray();
            assertClose("d/d conv0", conv0.getGradient().toDoubleArray(), read("grad_conv0_weight.npy").data());
        }
    }

    private static void assertClose(String what, double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertThat(scale).as(what + " is not all zero").isPositive();
        for (int i = 0; i < actual.length; i++) {
            // the fixture stores float32: its rounding bounds the agreement
            assertThat(actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(1e-6 * scale + 1e-6 * Math.abs(expected[i])));
        }
    }

    /** The fixture's head, weights loaded by name. */
    static PretextHead head(NDManager manager, DataType type) throws URISyntaxException {
        PretextHead head = PretextHead.builder().build();
        head.initialize(manager, type, DISPARITY);
        int loaded = 0;
        for (Map.Entry<String, Parameter> pair : head.parametersByName().entrySet()) {
            String name = pair.getKey();
            if (name.endsWith("runningMean") || name.endsWith("runningVar")) {
                continue; // training-mode batch norm normalises with batch statistics
            }
            Npy npy = read(name + ".npy");
            NDArray array = pair.getValue().getArray();
            assertThat(array.getShape().getShape()).as(name).isEqualTo(npy.shape());
            array.set(type == DataType.FLOAT64 ? DoubleBuffer.wrap(npy.data()) : FloatBuffer.wrap(npy.toFloatArray()));
            loaded++;
        }
        assertThat(loaded).isEqualTo(8);
        return head;
    }

    private static Npy read(String file) throws URISyntaxException {
        Path path = Paths.get(PretextDistillationGoldenTest.class.getResource("/golden/pretext/" + file).toURI());
        return Npy.read(path);
    }
}
