package io.depthstream.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.nn.Parameter;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.loss.PhotometricLossConfig;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingStepTest {

    static final int H = 64;
    static final int W = 96;
    static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(H, W);

    /**
     * A smooth texture on a fronto-parallel plane seen by a camera translating sideways: the neighbours are the
     * centre frame shifted by {@code shift} pixels either way (sampled analytically, no edge artefacts).
     */
    static TrainingSample slidingPlane(double shift) {
        return new TrainingSample(render(-shift), render(0), render(shift), Intrinsics.kittiNormalised(W, H));
    }

    static float[] render(double shift) {
        float[] chw = new float[3 * H * W];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    double u = x + shift;
                    double value = 0.5 + 0.2 * Math.sin(0.31 * u + 0.7 * c) * Math.cos(0.23 * y)
                            + 0.15 * Math.sin(0.11 * u * (1 + 0.3 * c) + 0.05 * y * y / H)
                            + 0.1 * Math.cos(0.53 * u - 0.41 * y + c);
                    chw[(c * H + y) * W + x] = (float) value;
                }
            }
        }
        return chw;
    }

    @Test
    void overfittingOneTripletHalvesTheLossWithin200Steps() {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            TrainingStep training = new TrainingStep(model, TrainingConfig.monodepth2(1).withAugmentation(false));
            List<TrainingSample> batch = List.of(slidingPlane(2.0));

            double first = training.step(batch).report().total();
            double best = first;
            for (int i = 1; i < 200 && best > first / 2; i++) {
                StepResult result = training.step(batch);
                assertThat(result.applied()).isTrue();
                best = Math.min(best, result.report().total());
            }

            assertThat(best).as("loss started at %f", first).isLessThanOrEqualTo(first / 2);
        }
    }

    @Test
    void stepsFreeTheirTensorsAndUpdateEveryTrainableParameter() {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            TrainingStep training = new TrainingStep(model, TrainingConfig.monodepth2(1));
            List<TrainingSample> batch = List.of(slidingPlane(1.0), slidingPlane(-1.5));
            Parameter firstConv = model.depthNet().getParameters().get(0).getValue();
            float[] before = firstConv.getArray().toFloatArray();

            training.step(batch);
            int arrays = model.manager().getManagedArrays().size();
            for (int i = 0; i < 20; i++) {
                StepResult result = training.step(batch);
                assertThat(result.applied()).isTrue();
                assertThat(result.gradientNorm()).isPositive().isFinite();
                StepPhases phases = result.phases();
                assertThat(List.of(phases.data(), phases.forward(), phases.backward(), phases.optimizer()))
                        .allSatisfy(seconds -> assertThat(seconds).isPositive());
            }

            assertThat(model.manager().getManagedArrays()).hasSize(arrays);
            assertThat(firstConv.getArray().toFloatArray()).isNotEqualTo(before);
            assertThat(training.steps()).isEqualTo(21);
        }
    }

    @Test
    void aThousandStepsLeaveNoTensorBehind() {
        ModelConfig smallest = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 64);
        try (DepthModel model = DepthModel.initialise(smallest, Device.cpu(), 3)) {
            TrainingStep training = new TrainingStep(model, TrainingConfig.monodepth2(1));
            float[] frame = new float[3 * 64 * 64];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (float) (0.5 + 0.4 * Math.sin(0.37 * i));
            }
            List<TrainingSample> batch = List.of(new TrainingSample(frame, frame, frame, Intrinsics.kittiNormalised(64, 64)));
            training.step(batch); // the optimiser's moment estimates are allocated on the first step
            int arrays = model.manager().getManagedArrays().size();

            for (int i = 1; i < 1000; i++) {
                training.step(batch);
            }

            assertThat(model.manager().getManagedArrays()).hasSize(arrays);
            assertThat(training.steps()).isEqualTo(1000);
        }
    }

    @Test
    void theAutoMaskWarmupTrainsItsFirstStepsUnmaskedThenMasks() {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            TrainingStep training = new TrainingStep(model,
                    TrainingConfig.monodepth2(1).withAugmentation(false).withAutoMaskWarmup(2));
            // a camera standing still: the un-warped neighbour matches exactly, so the auto-mask keeps nearly every pixel
            List<TrainingSample> batch = List.of(slidingPlane(0.0));

            assertThat(training.warmingUp()).isTrue();
            StepResult first = training.step(batch);
            StepResult second = training.step(batch);
            assertThat(training.warmingUp()).isFalse();
            StepResult third = training.step(batch);

            for (StepResult warm : List.of(first, second)) {
                assertThat(warm.report().identityShare()).as("no identity pixel while warming up").containsOnly(0.0);
            }
            assertThat(third.report().identityShare().get(0)).as("the auto-mask is back after the warm-up")
                    .isGreaterThan(0.5);
            // the measuring objective keeps the configured loss (the regression guard judges with it)
            LossReport measured = training.objective().measure(model, batch);
            assertThat(measured.identityShare().get(0)).isGreaterThan(0.5);
        }
    }

    @Test
    void aNonFiniteLossSkipsTheUpdate() {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            TrainingStep training = new TrainingStep(model, TrainingConfig.monodepth2(1).withAugmentation(false));
            NDArray weight = model.depthNet().getParameters().get(0).getValue().getArray();
            float[] poisoned = weight.toFloatArray();
            poisoned[0] = Float.NaN;
            weight.set(FloatBuffer.wrap(poisoned));
            float[] before = weight.toFloatArray();

            StepResult result = training.step(List.of(slidingPlane(1.0)));

            assertThat(result.applied()).isFalse();
            assertThat(Double.isNaN(result.report().total())).isTrue();
            float[] after = weight.toFloatArray();
            assertThat(after[1]).isEqualTo(before[1]);
            assertThat(after[after.length - 1]).isEqualTo(before[before.length - 1]);
        }
    }

    @Test
    void theReportedGradientNormIsTheL2NormOfEveryParameterGradient() {
        // no augmentation and no tie-break noise: the step's gradients are a function of the weights and the batch
        TrainingConfig config = TrainingConfig.monodepth2(1).withAugmentation(false).withLoss(LossConfig.monodepth2()
                .withPhotometric(PhotometricLossConfig.monodepth2().withIdentityNoise(0)));
        List<TrainingSample> batch = List.of(slidingPlane(1.0), slidingPlane(-1.5));
        List<Augmentation> none = List.of(Augmentation.none(), Augmentation.none());
        double reported;
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            reported = new TrainingStep(model, config).step(batch, none).gradientNorm();
        }
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3);
             NDManager manager = model.manager().newSubManager()) {
            TrainingStep training = new TrainingStep(model, config);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                TripletBatch tensors = new TripletBatch(manager, batch, none, H, W);
                collector.backward(training.objective().evaluate(model, tensors, true).total());
            }
            double expected = DifferentialTripletTrainingTest.gradientNorm(training.parameters());

            assertThat(expected).isPositive();
            assertThat(reported).isCloseTo(expected, org.assertj.core.api.Assertions.withinPercentage(1e-3));
        }
    }

    @Test
    void gradientClippingBoundsTheAppliedNorm() {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            TrainingStep training = new TrainingStep(model,
                    TrainingConfig.monodepth2(1).withAugmentation(false).withGradientClipNorm(1e-3));
            StepResult result = training.step(List.of(slidingPlane(1.0)));

            assertThat(result.gradientNorm()).isGreaterThan(1e-3);
            assertThat(result.applied()).isTrue();
            training.setLearningRate(1e-5);
            assertThat(training.learningRate()).isEqualTo(1e-5, org.assertj.core.api.Assertions.within(1e-12));
        }
    }

    @Test
    void stepLrFollowsMonodepth2() {
        StepLrSchedule schedule = StepLrSchedule.monodepth2();

        assertThat(schedule.rateAt(0)).isEqualTo(1e-4);
        assertThat(schedule.rateAt(14)).isEqualTo(1e-4);
        assertThat(schedule.rateAt(15)).isCloseTo(1e-5, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(schedule.rateAt(19)).isCloseTo(1e-5, org.assertj.core.api.Assertions.within(1e-15));
    }
}
