package io.depthstream.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.depthstream.model.geometry.FiniteDifferences;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The D2G pretext loss on inputs with known values, its gradients, and a head that learns. */
class PretextDistillationLossTest {

    @Test
    void lightnessMatchesPublishedCieLabValues() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // sRGB (D65) black, white, #808080, red, green, blue → L* 0, 100, 53.585, 53.241, 87.735, 32.297
            float g = 128f / 255;
            NDArray rgb = manager.create(new float[] {0, 1, g, 1, 0, 0, 0, 1, g, 0, 1, 0, 0, 1, g, 0, 0, 1},
                    new Shape(1, 3, 1, 6));
            float[] lightness = LabLightness.of(rgb).toFloatArray();
            float[] published = {0f, 1f, 0.53585f, 0.53241f, 0.87735f, 0.32297f};
            for (int i = 0; i < published.length; i++) {
                assertThat(lightness[i]).as("pixel %d", i).isCloseTo(published[i], within(2e-5f));
            }
        }
    }

    @Test
    void charbonnierOfAConstantPredictionIsComputedByHand() {
        try (NDManager manager = NDManager.newBaseManager()) {
            PretextHead head = PretextHead.builder().build();
            head.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 2, 2));
            // zero prediction weights: the head outputs its bias, 0.3, everywhere
            head.parametersByName().get("predict_weight").getArray().set(new float[32]);
            head.parametersByName().get("predict_bias").getArray().set(new float[] {0.3f});
            PretextDistillationLoss loss = new PretextDistillationLoss(PretextDistillationConfig.tripleDNet(), head);
            // two white and two black pixels: lightness 1 and 0
            NDArray image = manager.create(new float[] {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0}, new Shape(1, 3, 2, 2));
            NDArray disparity = manager.create(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new Shape(1, 1, 2, 2));

            PretextDistillationResult result = loss.compute(disparity, image, true);

            double expected = 0.5 * Math.sqrt(0.7 * 0.7 + 1e-6) + 0.5 * Math.sqrt(0.3 * 0.3 + 1e-6);
            assertThat(result.charbonnier().getFloat()).isCloseTo((float) expected, within(1e-6f));
            assertThat(result.weighted().getFloat()).isCloseTo((float) (5e-3 * expected), within(1e-8f));

            // a perfect prediction costs exactly ε
            head.parametersByName().get("predict_bias").getArray().set(new float[] {1f});
            NDArray white = manager.ones(new Shape(1, 3, 2, 2));
            assertThat(loss.compute(disparity, white, true).charbonnier().getFloat()).isCloseTo(1e-3f, within(1e-7f));
        }
    }

    @Test
    void gradientsWithRespectToDisparityMatchFiniteDifferences() {
        try (NDManager parameters = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            PretextHead head = PretextHead.builder().optChannels(8).build();
            head.initialize(parameters, DataType.FLOAT64, new Shape(2, 1, 6, 8));
            PretextDistillationLoss loss = new PretextDistillationLoss(PretextDistillationConfig.tripleDNet(), head);
            Random random = new Random(4);
            double[] image = random.doubles(2 * 3 * 6 * 8, 0, 1).toArray();
            Function<NDList, NDArray> weighted = in -> loss.compute(in.get(0),
                    in.getManager().create(image, new Shape(2, 3, 6, 8)), true).weighted();
            FiniteDifferences.check(weighted, List.of(random.doubles(2 * 6 * 8, 0.01, 0.5).toArray()),
                    List.of(new Shape(2, 1, 6, 8)), java.util.Arrays.asList((int[]) null), 1e-6, 1e-6);
        }
    }

    @Test
    void aHeadTrainedOnOneImageDrivesItsLossDown() {
        int h = 24;
        int w = 32;
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(21);
            PretextHead head = PretextHead.builder().build();
            head.initialize(manager, DataType.FLOAT32, new Shape(1, 1, h, w));
            PretextDistillationLoss loss = new PretextDistillationLoss(PretextDistillationConfig.tripleDNet(), head);
            // a road-like scene: brightness and disparity both grow towards the bottom, a dark near box
            float[] disparity = new float[h * w];
            float[] image = new float[3 * h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean box = y > 10 && y < 18 && x > 5 && x < 14;
                    disparity[y * w + x] = box ? 0.6f : 0.05f + 0.4f * y / h;
                    float value = box ? 0.1f : 0.3f + 0.6f * y / h;
                    for (int c = 0; c < 3; c++) {
                        image[(c * h + y) * w + x] = value;
                    }
                }
            }
            NDArray d = manager.create(disparity, new Shape(1, 1, h, w));
            NDArray rgb = manager.create(image, new Shape(1, 3, h, w));
            Optimizer adam = Adam.builder().optLearningRateTracker(Tracker.fixed(1e-2f)).build();
            List<Parameter> trainable = loss.trainableParameters();
            assertThat(trainable).hasSize(2 + 2 * 2 + 2); // conv0, conv1, 2×(gamma, beta), predict weight and bias

            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 40; step++) {
                try (NDManager scope = manager.newSubManager();
                     GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray value = loss.compute(d, rgb, true).charbonnier();
                    value.attach(scope);
                    last = value.getFloat();
                    if (step == 0) {
                        first = last;
                    }
                    collector.backward(value);
                }
                for (Parameter parameter : trainable) {
                    adam.update(parameter.getId(), parameter.getArray(), parameter.getArray().getGradient());
                    JniUtils.zeroGrad((PtNDArray) parameter.getArray());
                }
            }
            assertThat(Double.isFinite(first)).isTrue();
            assertThat(last).as("loss after 40 steps, from %f", first).isLessThan(0.3 * first);
        }
    }

    @Test
    void mismatchedInputsAndUninitialisedHeadsAreRejected() {
        assertThatThrownBy(() -> new PretextDistillationLoss(PretextDistillationConfig.tripleDNet(),
                PretextHead.builder().build())).hasMessageContaining("initialised");
        assertThatThrownBy(() -> new PretextDistillationConfig(5e-3, 0)).hasMessageContaining("epsilon");
        try (NDManager manager = NDManager.newBaseManager()) {
            PretextHead head = PretextHead.builder().build();
            head.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 4, 4));
            PretextDistillationLoss loss = new PretextDistillationLoss(PretextDistillationConfig.tripleDNet(), head);
            assertThatThrownBy(() -> loss.compute(manager.ones(new Shape(1, 1, 4, 4)), manager.ones(new Shape(1, 3, 4, 5)),
                    true)).hasMessageContaining("one size");
        }
    }
}
