package io.depthstream.model.net;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReflectionPad2dTest {

    @Test
    void mirrorsWithoutRepeatingTheEdgeAsTorchReflectionPad2d() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new Shape(1, 1, 3, 3));

            NDArray padded = ReflectionPad2d.pad(x, 1);

            // torch.nn.ReflectionPad2d(1)(torch.arange(1., 10.).view(1, 1, 3, 3))
            assertThat(padded.getShape()).isEqualTo(new Shape(1, 1, 5, 5));
            assertThat(padded.toFloatArray()).containsExactly(
                    5, 4, 5, 6, 5,
                    2, 1, 2, 3, 2,
                    5, 4, 5, 6, 5,
                    8, 7, 8, 9, 8,
                    5, 4, 5, 6, 5);
        }
    }

    @Test
    void gradientCountsHowOftenEachPixelIsCopied() {
        try (NDManager manager = NDManager.newBaseManager()) {
            int h = 4;
            int w = 5;
            NDArray x = manager.randomUniform(0f, 1f, new Shape(2, 3, h, w));
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(ReflectionPad2d.pad(x, 1).sum());
            }

            // rows 1 and h-2 (columns 1 and w-2) are mirrored once more; a pixel's count is row count × column count
            float[] gradient = x.getGradient().toFloatArray();
            for (int plane = 0; plane < 6; plane++) {
                for (int y = 0; y < h; y++) {
                    for (int c = 0; c < w; c++) {
                        int rows = (y == 1 || y == h - 2) ? 2 : 1;
                        int columns = (c == 1 || c == w - 2) ? 2 : 1;
                        assertThat(gradient[(plane * h + y) * w + c]).as("plane %d (%d, %d)", plane, y, c)
                                .isEqualTo(rows * columns);
                    }
                }
            }
        }
    }

    @Test
    void refusesAPadAsWideAsTheImage() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.zeros(new Shape(1, 1, 2, 8));
            assertThatThrownBy(() -> ReflectionPad2d.pad(x, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2x8");
        }
    }
}
