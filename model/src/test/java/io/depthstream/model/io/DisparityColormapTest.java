package io.depthstream.model.io;

import io.depthstream.model.data.RgbImage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DisparityColormapTest {

    @Test
    void magmaEndsAndMiddleAreMatplotlibs() {
        assertThat(DisparityColormap.magma(0)).isEqualTo(0x000004);
        assertThat(DisparityColormap.magma(128 / 255.0)).isEqualTo(183 << 16 | 55 << 8 | 121);
        assertThat(DisparityColormap.magma(1)).isEqualTo(252 << 16 | 253 << 8 | 191);
    }

    @Test
    void normalisesFromMinimumToNinetyFifthPercentile() {
        float[] disparity = new float[100];
        for (int i = 0; i < 100; i++) {
            disparity[i] = i;
        }
        disparity[99] = 1000; // an outlier beyond the 95th percentile saturates instead of darkening the rest

        RgbImage image = DisparityColormap.colorize(disparity, 10, 10);

        assertThat(rgb(image, 0, 0)).isEqualTo(DisparityColormap.magma(0));
        assertThat(rgb(image, 9, 9)).isEqualTo(DisparityColormap.magma(1));
        assertThat(rgb(image, 4, 9)).isEqualTo(DisparityColormap.magma(94 / 94.0));
        assertThat(rgb(image, 7, 4)).isEqualTo(DisparityColormap.magma(47 / 94.0));
    }

    static int rgb(RgbImage image, int x, int y) {
        return image.get(x, y, 0) << 16 | image.get(x, y, 1) << 8 | image.get(x, y, 2);
    }
}
