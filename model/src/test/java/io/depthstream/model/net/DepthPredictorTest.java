package io.depthstream.model.net;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DepthPredictorTest {

    static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 96);

    static float[] image(long seed) {
        Random random = new Random(seed);
        float[] chw = new float[3 * 64 * 96];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = random.nextFloat();
        }
        return chw;
    }

    @Test
    void batchedPredictionEqualsOneByOneAndMatchesTheBlockForward() throws Exception {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            DepthPredictor predictor = new DepthPredictor(model);
            float[][] batch = predictor.disparity(List.of(image(1), image(2), image(3)));
            float[][] single = predictor.disparity(List.of(image(2)));

            assertThat(batch).hasNumberOfRows(3);
            assertThat(batch[1]).containsExactly(single[0], within(1e-4f));
            try (NDManager manager = model.manager().newSubManager()) {
                NDArray input = manager.create(image(3), new Shape(1, 3, 64, 96));
                float[] direct = model.depth(input, false).disparities().get(0).toFloatArray();
                assertThat(batch[2]).containsExactly(direct, within(1e-4f));
            }

            float[][] motion = predictor.pose(List.of(image(1), image(2)), List.of(image(2), image(1)));
            assertThat(motion).hasNumberOfRows(2);
            assertThat(motion[0]).hasSize(6);
            assertThat(motion[0]).isNotEqualTo(motion[1]);
        }
    }

    @Test
    void foldedInferenceFollowsTrainingUpdates() {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            DepthPredictor predictor = new DepthPredictor(model);
            float[] before = predictor.disparity(List.of(image(4)))[0];
            io.depthstream.model.train.TrainingStep training = new io.depthstream.model.train.TrainingStep(model,
                    io.depthstream.model.train.TrainingConfig.monodepth2(1).withLearningRate(1e-3));
            training.step(List.of(new io.depthstream.model.train.TrainingSample(image(1), image(2), image(3),
                    io.depthstream.model.geometry.Intrinsics.kittiNormalised(96, 64))));

            float[] after = predictor.disparity(List.of(image(4)))[0];
            try (NDManager manager = model.manager().newSubManager()) {
                NDArray input = manager.create(image(4), new Shape(1, 3, 64, 96));
                float[] unfolded = model.depth(input, false).disparities().get(0).toFloatArray();
                assertThat(after).containsExactly(unfolded, within(1e-4f));
            }
            assertThat(after).isNotEqualTo(before);
        }
    }

    @Test
    void predictionOnAnotherThreadRecordsNoAutogradGraph() throws Exception {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            DepthPredictor predictor = new DepthPredictor(model);
            predictor.disparity(List.of(image(0))); // builds the folded batch-norm cache, once
            int before = model.manager().getManagedArrays().size();
            Thread worker = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    predictor.disparity(List.of(image(i)));
                }
            });
            worker.start();
            worker.join();
            assertThat(model.manager().getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void wrongImageSizeIsExplained() {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            assertThatThrownBy(() -> new DepthPredictor(model).disparity(List.of(new float[10])))
                    .hasMessageContaining("the model takes 3x64x96");
        }
    }
}
