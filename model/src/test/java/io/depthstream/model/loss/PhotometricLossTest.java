package io.depthstream.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.depthstream.model.geometry.DisparityToDepth;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.geometry.IntrinsicsMatrix;
import io.depthstream.model.geometry.PoseMatrix;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PhotometricLossTest {

    private static final int B = 2;
    private static final int H = 16;
    private static final int W = 48;
    private static final List<Intrinsics> CAMERAS =
            List.of(Intrinsics.kittiNormalised(W, H), new Intrinsics(40, 30, 23.5, 7.5));

    @Test
    void aStaticSceneIsMaskedOutEntirelySoNoGradientReachesDepth() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray image = manager.randomUniform(0f, 1f, new Shape(B, 3, H, W));
            NDArray moving = movingPose(manager, 0.5f);
            List<NDArray> disparities = disparities(manager, 4);
            PhotometricLossConfig noSmoothness = new PhotometricLossConfig(0.85, 0, true, true, 1e-5, true,
                    DisparityToDepth.MONODEPTH2);

            // a camera that did not move but a pose that says it did: only the identity errors explain the frames
            PhotometricLossResult masked;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                disparities.forEach(d -> d.setRequiresGradient(true));
                masked = new PhotometricLoss(noSmoothness, new Random(1)).compute(new PhotometricLossInput(image,
                        new SourceView(image, moving), new SourceView(image, moving), disparities,
                        IntrinsicsMatrix.of(manager, CAMERAS), IntrinsicsMatrix.inverseOf(manager, CAMERAS)));
                collector.backward(masked.total());
                for (NDArray disparity : disparities) {
                    assertThat(disparity.getGradient().abs().max().getFloat()).isZero();
                }
            }
            PhotometricLossResult unmasked = new PhotometricLoss(noSmoothness.withAutoMask(false), new Random(1))
                    .compute(input(manager, image, image, image, moving, disparities));

            assertThat(masked.identityShare()).allSatisfy(share -> assertThat(share).isEqualTo(1.0));
            assertThat(Math.abs(masked.total().getFloat())).isLessThan(1e-4f);
            assertThat(unmasked.total().getFloat()).isGreaterThan(0.05f);
            assertThat(unmasked.identityShare()).containsOnly(0.0);
        }
    }

    @Test
    void theTieBreakNoiseIsReproducibleFromItsSeed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray image = manager.randomUniform(0f, 1f, new Shape(B, 3, H, W));
            NDArray moving = movingPose(manager, 0.5f);
            List<NDArray> disparities = disparities(manager, 2);
            PhotometricLossConfig config = PhotometricLossConfig.monodepth2();

            float first = new PhotometricLoss(config, new Random(42))
                    .compute(input(manager, image, image, image, moving, disparities)).total().getFloat();
            float again = new PhotometricLoss(config, new Random(42))
                    .compute(input(manager, image, image, image, moving, disparities)).total().getFloat();
            float other = new PhotometricLoss(config, new Random(43))
                    .compute(input(manager, image, image, image, moving, disparities)).total().getFloat();
            float silent = new PhotometricLoss(config.withIdentityNoise(0), new Random(42))
                    .compute(input(manager, image, image, image, moving, disparities)).total().getFloat();

            assertThat(again).isEqualTo(first);
            assertThat(other).isNotEqualTo(first);
            // the minimum of noisy zeros sits about one noise sigma below the noiseless value
            assertThat((double) first - silent).isNegative().isGreaterThan(-5e-5);
        }
    }

    @Test
    void aSingleSourceWorksFromEitherSide() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray target = manager.randomUniform(0f, 1f, new Shape(B, 3, H, W));
            NDArray source = manager.randomUniform(0f, 1f, new Shape(B, 3, H, W));
            NDArray pose = movingPose(manager, 0.2f);
            List<NDArray> disparities = disparities(manager, 3);
            PhotometricLoss loss = new PhotometricLoss(PhotometricLossConfig.monodepth2().withIdentityNoise(0),
                    new Random(0));
            NDArray k = IntrinsicsMatrix.of(manager, CAMERAS);
            NDArray invK = IntrinsicsMatrix.inverseOf(manager, CAMERAS);

            PhotometricLossResult onlyPrevious = loss.compute(new PhotometricLossInput(target,
                    new SourceView(source, pose), null, disparities, k, invK));
            PhotometricLossResult onlyNext = loss.compute(new PhotometricLossInput(target,
                    null, new SourceView(source, pose), disparities, k, invK));

            assertThat(onlyNext.total().getFloat()).isEqualTo(onlyPrevious.total().getFloat());
            assertThat(onlyNext.photometric()).hasSize(3);
            assertThat(onlyNext.total().getFloat()).isPositive();
        }
    }

    @Test
    void theTotalIsTheMeanOverScalesOfPhotometricPlusWeightedSmoothnessAndComposes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray target = manager.randomUniform(0f, 1f, new Shape(B, 3, H, W));
            NDArray source = manager.randomUniform(0f, 1f, new Shape(B, 3, H, W));
            PhotometricLossResult result = new PhotometricLoss(PhotometricLossConfig.monodepth2(), new Random(3))
                    .compute(input(manager, target, source, source, movingPose(manager, 0.3f), disparities(manager, 4)));

            double expected = 0;
            for (int s = 0; s < 4; s++) {
                expected += result.photometric().get(s).getFloat() + 1e-3 / (1 << s) * result.smoothness().get(s).getFloat();
            }
            assertThat((double) result.total().getFloat()).isCloseTo(expected / 4, within(1e-6));
            assertThat(result.meanIdentityShare()).isBetween(0.0, 1.0);

            LossTerms more = result.terms().plus("triplet", manager.create(0.25f));
            assertThat(more.values()).containsKeys("total", "photometric", "smoothness", "triplet");
            assertThat(more.values().get("total")).isCloseTo(expected / 4 + 0.25, within(1e-6));
            assertThatThrownBy(() -> more.plus("smoothness", manager.create(1f)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void malformedInputsAreRejectedWithAReason() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray target = manager.zeros(new Shape(B, 3, H, W));
            NDArray k = IntrinsicsMatrix.of(manager, CAMERAS);
            NDArray invK = IntrinsicsMatrix.inverseOf(manager, CAMERAS);
            List<NDArray> disparities = disparities(manager, 1);
            NDArray pose = movingPose(manager, 0.1f);

            assertThatThrownBy(() -> new PhotometricLossInput(target, null, null, disparities, k, invK))
                    .hasMessageContaining("at least one source");
            assertThatThrownBy(() -> new PhotometricLossInput(target,
                    new SourceView(manager.zeros(new Shape(B, 3, H, W + 1)), pose), null, disparities, k, invK))
                    .hasMessageContaining("differs from target");
            assertThatThrownBy(() -> new PhotometricLossInput(target, new SourceView(target, pose), null,
                    List.of(manager.zeros(new Shape(B, 1, H / 2, W / 2))), k, invK))
                    .hasMessageContaining("scale-0 disparity");
        }
    }

    private static PhotometricLossInput input(NDManager manager, NDArray target, NDArray previous, NDArray next,
                                              NDArray pose, List<NDArray> disparities) {
        return new PhotometricLossInput(target, new SourceView(previous, pose), new SourceView(next, pose),
                disparities, IntrinsicsMatrix.of(manager, CAMERAS), IntrinsicsMatrix.inverseOf(manager, CAMERAS));
    }

    private static NDArray movingPose(NDManager manager, float forward) {
        return PoseMatrix.fromParameters(manager.create(new float[] {0.01f, -0.02f, 0.005f}).tile(B).reshape(B, 3),
                manager.create(new float[] {0.05f, 0, forward}).tile(B).reshape(B, 3), false);
    }

    private static List<NDArray> disparities(NDManager manager, int scales) {
        List<NDArray> list = new java.util.ArrayList<>();
        for (int s = 0; s < scales; s++) {
            list.add(manager.randomUniform(0.05f, 0.5f, new Shape(B, 1, H >> s, W >> s)));
        }
        return list;
    }
}
