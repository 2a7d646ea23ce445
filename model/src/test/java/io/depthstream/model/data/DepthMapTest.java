package io.depthstream.model.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DepthMapTest {

    @Test
    void kittiPngRoundTripKeepsDepthToOneTwoHundredFiftySixthOfAMetre() {
        float[] depth = {0f, 1.5f, 12.34567f, 80f, 255.99f, Float.NaN, -3f, 300f};
        DepthMap map = new DepthMap(4, 2, depth);

        DepthMap back = DepthMap.decodeKittiPng(map.encodeKittiPng());

        assertThat(back.width()).isEqualTo(4);
        assertThat(back.height()).isEqualTo(2);
        assertThat(back.depth()).containsExactly(
                0f, 1.5f, Math.round(12.34567f * 256) / 256f, 80f, Math.round(255.99f * 256) / 256f,
                0f, 0f, 65535 / 256f);
        assertThat(back.validCount()).isEqualTo(5);
        assertThat(back.get(1, 0)).isEqualTo(1.5f);
    }

    @Test
    void colourPngIsNotADepthMap() {
        byte[] colour = new RgbImage(1, 1, new byte[] {1, 2, 3}).encodePng();

        assertThatThrownBy(() -> DepthMap.decodeKittiPng(colour))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one 16-bit channel");
    }
}
