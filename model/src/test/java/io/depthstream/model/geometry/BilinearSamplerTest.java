package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BilinearSamplerTest {

    @Test
    void samplesPixelCentresInterpolatesAndClampsToTheBorder() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray image = manager.create(new float[] {0, 1, 2, 3, 4, 5}, new Shape(1, 1, 2, 3));
            NDArray grid = manager.create(new float[] {
                -1, -1,      // pixel (0,0)
                1, 1,        // pixel (2,1)
                0, 0,        // u = 1, v = 0.5
                -0.5f, -0.5f, // u = 0.5, v = 0.25
                3, -2        // far outside: clamped to u = 2, v = 0
            }, new Shape(1, 1, 5, 2));

            NDArray out = BilinearSampler.sample(image, grid);

            assertThat(out.getShape()).isEqualTo(new Shape(1, 1, 1, 5));
            assertThat(out.toFloatArray()).containsExactly(new float[] {0, 5, 2.5f, 1.25f, 2}, within(1e-6f));
        }
    }

    @Test
    void gradientsReachTheImageAndTheGrid() {
        Random random = new Random(7);
        double[] image = random.doubles(2 * 2 * 4 * 5).toArray();
        double[] grid = random.doubles(2 * 3 * 4 * 2, -0.95, 0.95).toArray();
        Shape imageShape = new Shape(2, 2, 4, 5);
        Shape gridShape = new Shape(2, 3, 4, 2);
        double[] weights = new Random(11).doubles(2 * 2 * 3 * 4, -1, 1).toArray();

        FiniteDifferences.check(
                (NDList in) -> BilinearSampler.sample(in.get(0), in.get(1))
                        .mul(in.get(0).getManager().create(weights, new Shape(2, 2, 3, 4))).sum(),
                List.of(image, grid), List.of(imageShape, gridShape), Arrays.asList(null, null), 1e-6, 1e-6);
    }

    @Test
    void identityPoseReproducesTheTargetForAnyDepthAndPerSampleIntrinsics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Random random = new Random(3);
            int height = 16;
            int width = 48;
            float[] pixels = new float[2 * 3 * height * width];
            float[] depths = new float[2 * height * width];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = random.nextFloat();
            }
            for (int i = 0; i < depths.length; i++) {
                depths[i] = 0.5f + 20 * random.nextFloat();
            }
            NDArray image = manager.create(pixels, new Shape(2, 3, height, width));
            NDArray depth = manager.create(depths, new Shape(2, 1, height, width));
            List<Intrinsics> cameras = List.of(Intrinsics.kittiNormalised(width, height),
                    new Intrinsics(40, 30, 20.5, 9.25));
            NDArray k = IntrinsicsMatrix.of(manager, cameras);
            NDArray invK = IntrinsicsMatrix.inverseOf(manager, cameras);
            NDArray zero = manager.zeros(new Shape(2, 1, 3));
            NDArray identity = PoseMatrix.fromParameters(zero, zero, false);

            NDArray grid = Project3D.apply(BackprojectDepth.apply(depth, invK), k, identity, height, width);
            NDArray warped = BilinearSampler.sample(image, grid);

            assertThat(grid.getShape()).isEqualTo(new Shape(2, height, width, 2));
            assertThat(warped.toFloatArray()).containsExactly(pixels, within(1e-4f));
        }
    }

    @Test
    void sidewaysTranslationShiftsTheGridByFocalTimesBaselineOverDepth() {
        try (NDManager manager = NDManager.newBaseManager()) {
            int height = 8;
            int width = 24;
            Intrinsics camera = Intrinsics.kittiNormalised(width, height);
            NDArray depth = manager.full(new Shape(1, 1, height, width), 5f);
            NDArray k = IntrinsicsMatrix.of(manager, List.of(camera));
            NDArray invK = IntrinsicsMatrix.inverseOf(manager, List.of(camera));
            NDArray transform = PoseMatrix.fromParameters(manager.zeros(new Shape(1, 3)),
                    manager.create(new float[] {0.5f, -0.25f, 0}, new Shape(1, 3)), false);

            float[] grid = Project3D.apply(BackprojectDepth.apply(depth, invK), k, transform, height, width)
                    .toFloatArray();

            for (int v = 0; v < height; v++) {
                for (int u = 0; u < width; u++) {
                    double expectedU = u + camera.fx() * 0.5 / 5;
                    double expectedV = v - camera.fy() * 0.25 / 5;
                    int i = 2 * (v * width + u);
                    assertThat((double) grid[i]).isCloseTo(2 * expectedU / (width - 1) - 1, within(1e-5));
                    assertThat((double) grid[i + 1]).isCloseTo(2 * expectedV / (height - 1) - 1, within(1e-5));
                }
            }
        }
    }
}
