package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PoseMatrixTest {

    @Test
    void quarterTurnAboutZRotatesXOntoY() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray axisAngle = manager.create(new float[] {0, 0, (float) (Math.PI / 2)}, new Shape(1, 1, 3));

            float[] r = Rodrigues.rotation(axisAngle).toFloatArray();

            assertThat(r).containsExactly(new float[] {
                0, -1, 0, 0,
                1, 0, 0, 0,
                0, 0, 1, 0,
                0, 0, 0, 1}, within(1e-6f));
        }
    }

    @Test
    void zeroAxisAngleIsTheIdentityAndRotationsAreOrthonormal() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray axisAngle = manager.create(new float[] {0, 0, 0, 0.3f, -0.2f, 0.7f}, new Shape(2, 3));

            NDArray r = Rodrigues.rotation(axisAngle);

            assertThat(r.getShape()).isEqualTo(new Shape(2, 4, 4));
            float[] identity = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
            assertThat(r.get(0).toFloatArray()).containsExactly(identity, within(0f));
            assertThat(r.get(1).matMul(r.get(1).transpose()).toFloatArray()).containsExactly(identity, within(1e-6f));
            // the axis is an eigenvector with eigenvalue 1
            NDArray axis = manager.create(new float[] {0.3f, -0.2f, 0.7f, 0}, new Shape(4, 1));
            assertThat(r.get(1).matMul(axis).toFloatArray()).containsExactly(axis.toFloatArray(), within(1e-6f));
        }
    }

    @Test
    void translationMatrixHoldsTheVectorInTheLastColumn() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray t = manager.create(new float[] {1, 2, 3}, new Shape(1, 1, 3));

            assertThat(PoseMatrix.translation(t).toFloatArray()).containsExactly(
                    1, 0, 0, 1,
                    0, 1, 0, 2,
                    0, 0, 1, 3,
                    0, 0, 0, 1);
        }
    }

    @Test
    void forwardIsRotateThenTranslateAndInvertedIsItsInverse() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray axisAngle = manager.create(new float[] {0, 0, (float) (Math.PI / 2), 0.1f, 0.2f, -0.3f},
                    new Shape(2, 1, 3));
            NDArray translation = manager.create(new float[] {1, 0, 0, 0.5f, -1, 2}, new Shape(2, 1, 3));

            NDArray forward = PoseMatrix.fromParameters(axisAngle, translation, false);
            NDArray inverted = PoseMatrix.fromParameters(axisAngle, translation, true);

            // first sample: R maps (1,0,0) to (0,1,0), then T adds (1,0,0)
            NDArray point = manager.create(new float[] {1, 0, 0, 1}, new Shape(4, 1));
            assertThat(forward.get(0).matMul(point).toFloatArray()).containsExactly(new float[] {1, 1, 0, 1},
                    within(1e-6f));
            // inverted: Rᵀ and −Rᵀt
            assertThat(inverted.get(0).toFloatArray()).containsExactly(new float[] {
                0, 1, 0, 0,
                -1, 0, 0, 1,
                0, 0, 1, 0,
                0, 0, 0, 1}, within(1e-6f));
            float[] identity = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
            float[] products = inverted.matMul(forward).toFloatArray();
            for (int b = 0; b < 2; b++) {
                float[] one = java.util.Arrays.copyOfRange(products, 16 * b, 16 * b + 16);
                assertThat(one).containsExactly(identity, within(1e-6f));
            }
        }
    }

    @Test
    void disparityMapsToTheConfiguredDepthRange() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray sigmoid = manager.create(new float[] {0, 1, 0.5f}, new Shape(1, 1, 1, 3));

            float[] depth = DisparityToDepth.MONODEPTH2.depth(sigmoid).toFloatArray();

            assertThat(depth).containsExactly(new float[] {100f, 0.1f, (float) (1 / (0.01 + 9.99 * 0.5))},
                    within(1e-5f));
            assertThat(DisparityToDepth.MONODEPTH2.scaledDisparity(sigmoid).toFloatArray())
                    .containsExactly(new float[] {0.01f, 10f, 5.005f}, within(1e-6f));
        }
    }
}
