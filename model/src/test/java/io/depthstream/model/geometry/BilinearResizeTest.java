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

class BilinearResizeTest {

    @Test
    void upAndDownsamplingEqualTorchInterpolateWithoutAlignedCorners() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {0, 1, 4, 2, 3, -1}, new Shape(1, 1, 2, 3));

            // F.interpolate(x, [4, 5], mode="bilinear", align_corners=False) and [1, 2], PyTorch 1.13
            assertThat(BilinearResize.resize(x, 4, 5).toFloatArray()).containsExactly(new float[] {
                0.0f, 0.4f, 1.0f, 2.8f, 4.0f,
                0.5f, 0.9f, 1.5f, 2.25f, 2.75f,
                1.5f, 1.9f, 2.5f, 1.15f, 0.25f,
                2.0f, 2.4f, 3.0f, 0.6f, -1.0f}, within(1e-6f));
            assertThat(BilinearResize.resize(x, 1, 2).toFloatArray())
                    .containsExactly(new float[] {1.25f, 1.625f}, within(1e-6f));
        }
    }

    @Test
    void gradientsFlowBackToTheLowResolutionInput() {
        double[] x = new Random(1).doubles(2 * 1 * 3 * 4).toArray();
        double[] weights = new Random(2).doubles(2 * 1 * 6 * 8, -1, 1).toArray();

        FiniteDifferences.check(
                (NDList in) -> BilinearResize.resize(in.get(0), 6, 8)
                        .mul(in.get(0).getManager().create(weights, new Shape(2, 1, 6, 8))).sum(),
                List.of(x), List.of(new Shape(2, 1, 3, 4)), Arrays.asList((int[]) null), 1e-6, 1e-7);
    }
}
