package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.net.ReflectionPad2d;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SsimTest {

    @Test
    void reflectionPaddingEqualsTorchs() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(12f).reshape(1, 1, 3, 4);

            // torch.nn.ReflectionPad2d(1) and (2) applied to torch.arange(12.).reshape(1, 1, 3, 4)
            assertThat(ReflectionPad2d.pad(x, 1).toFloatArray()).containsExactly(
                    5, 4, 5, 6, 7, 6,
                    1, 0, 1, 2, 3, 2,
                    5, 4, 5, 6, 7, 6,
                    9, 8, 9, 10, 11, 10,
                    5, 4, 5, 6, 7, 6);
            NDArray two = ReflectionPad2d.pad(x, 2);
            assertThat(two.getShape()).isEqualTo(new Shape(1, 1, 7, 8));
            assertThat(two.toFloatArray()).containsExactly(
                    10, 9, 8, 9, 10, 11, 10, 9,
                    6, 5, 4, 5, 6, 7, 6, 5,
                    2, 1, 0, 1, 2, 3, 2, 1,
                    6, 5, 4, 5, 6, 7, 6, 5,
                    10, 9, 8, 9, 10, 11, 10, 9,
                    6, 5, 4, 5, 6, 7, 6, 5,
                    2, 1, 0, 1, 2, 3, 2, 1);
        }
    }

    @Test
    void anImageComparedWithItselfHasZeroLoss() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomUniform(0f, 1f, new Shape(2, 3, 16, 48));

            NDArray loss = Ssim.loss(x, x);

            assertThat(loss.getShape()).isEqualTo(new Shape(2, 3, 16, 48));
            assertThat(loss.max().getFloat()).isLessThan(1e-6f);
        }
    }

    @Test
    void aBrightCentreAgainstBlackHasTheHandComputedValue() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {0, 0, 0, 0, 1, 0, 0, 0, 0}, new Shape(1, 1, 3, 3));
            NDArray y = manager.zeros(new Shape(1, 1, 3, 3));

            float centre = Ssim.loss(x, y).toFloatArray()[4];

            // centre window = the whole image: mu_x = 1/9, sigma_x = 1/9 − 1/81, everything of y is 0
            double muX = 1.0 / 9;
            double sigmaX = 1.0 / 9 - 1.0 / 81;
            double ssim = (Ssim.C1 * Ssim.C2) / ((muX * muX + Ssim.C1) * (sigmaX + Ssim.C2));
            assertThat((double) centre).isCloseTo((1 - ssim) / 2, within(1e-6));
            assertThat((double) centre).isCloseTo(0.4999637, within(1e-6));
        }
    }

    @Test
    void everyPixelOfASmallImageMatchesTheWindowFormulaWithMirroredBorders() {
        Random random = new Random(5);
        int h = 3;
        int w = 4;
        double[] a = random.doubles(h * w).toArray();
        double[] b = random.doubles(h * w).toArray();
        try (NDManager manager = NDManager.newBaseManager()) {
            double[] loss = Ssim.loss(manager.create(a, new Shape(1, 1, h, w)), manager.create(b, new Shape(1, 1, h, w)))
                    .toDoubleArray();

            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
                    for (int dr = -1; dr <= 1; dr++) {
                        for (int dc = -1; dc <= 1; dc++) {
                            int i = mirror(r + dr, h) * w + mirror(c + dc, w);
                            sx += a[i];
                            sy += b[i];
                            sxx += a[i] * a[i];
                            syy += b[i] * b[i];
                            sxy += a[i] * b[i];
                        }
                    }
                    double mx = sx / 9, my = sy / 9;
                    double vx = sxx / 9 - mx * mx, vy = syy / 9 - my * my, cxy = sxy / 9 - mx * my;
                    double ssim = (2 * mx * my + Ssim.C1) * (2 * cxy + Ssim.C2)
                            / ((mx * mx + my * my + Ssim.C1) * (vx + vy + Ssim.C2));
                    double expected = Math.min(1, Math.max(0, (1 - ssim) / 2));
                    assertThat(loss[r * w + c]).as("pixel %d,%d", r, c).isCloseTo(expected, within(1e-12));
                }
            }
        }
    }

    private static int mirror(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    }
}
