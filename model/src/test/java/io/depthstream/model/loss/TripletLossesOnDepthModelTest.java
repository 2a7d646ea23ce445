package io.depthstream.model.loss;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthOutput;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both losses on a real depth network's output, the way a training step uses them: decoder features at scales 3, 2,
 * 1 with the model's own detached depth as reference, the pretext head on the scale-0 disparity; the sum's gradients
 * reach the depth network's and the head's parameters.
 */
class TripletLossesOnDepthModelTest {

    @Test
    void gradientsOfBothLossesReachTheDepthNetworkAndTheHead() {
        ModelConfig config = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 96);
        try (DepthModel model = DepthModel.initialise(config, Device.cpu(), 3)) {
            PretextHead head = PretextHead.builder().build();
            head.initialize(model.manager(), DataType.FLOAT32, new Shape(1, 1, config.height(), config.width()));
            PretextDistillationLoss pretext = new PretextDistillationLoss(PretextDistillationConfig.tripleDNet(), head);
            DepthDifferentialTripletLoss differential = new DepthDifferentialTripletLoss(
                    DifferentialTripletConfig.selfSupervised(), new Random(8));
            try (NDManager step = model.manager().newSubManager();
                 GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray images = step.randomUniform(0, 1, new Shape(2, 3, config.height(), config.width()));
                DepthOutput output = model.depth(images, true);
                NDArray disparity = output.disparities().get(0);

                DifferentialTripletResult triplet = differential.compute(output, config.depthRange().depth(disparity));
                PretextDistillationResult distillation = pretext.compute(disparity, images, true);
                NDArray total = triplet.total().add(distillation.weighted());
                collector.backward(total);

                assertThat(triplet.perScale()).hasSize(3);
                for (int k = 0; k < 3; k++) {
                    assertThat(triplet.positives().get(k).getDouble() + triplet.negatives().get(k).sum().getDouble())
                            .as("labelled pairs at scale %d", 3 - k).isPositive();
                }
                assertThat(Double.isFinite(total.toType(DataType.FLOAT64, false).getDouble())).isTrue();
                assertThat(gradientNorm(model.depthNet().getParameters())).isPositive().isFinite();
                double headNorm = 0;
                for (Parameter parameter : pretext.trainableParameters()) {
                    headNorm += parameter.getArray().getGradient().square().sum().getFloat();
                }
                assertThat(headNorm).isPositive().isFinite();
            } finally {
                for (Pair<String, Parameter> pair : model.depthNet().getParameters()) {
                    if (pair.getValue().requiresGradient()) {
                        JniUtils.zeroGrad((PtNDArray) pair.getValue().getArray());
                    }
                }
                model.parametersChanged();
            }
        }
    }

    private static double gradientNorm(Iterable<Pair<String, Parameter>> parameters) {
        double sum = 0;
        for (Pair<String, Parameter> pair : parameters) {
            if (pair.getValue().requiresGradient()) {
                sum += pair.getValue().getArray().getGradient().square().sum().getFloat();
            }
        }
        return Math.sqrt(sum);
    }
}
