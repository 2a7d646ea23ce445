package io.depthstream.model.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SemanticMapTest {

    @Test
    void grayscalePngRoundTripsClassIds() {
        int[] classes = new int[6 * 4];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = (i * 37) % 256;
        }
        SemanticMap map = new SemanticMap(6, 4, classes);
        SemanticMap decoded = SemanticMap.decodePng(map.encodePng());
        assertThat(decoded.width()).isEqualTo(6);
        assertThat(decoded.height()).isEqualTo(4);
        assertThat(decoded.classes()).isEqualTo(classes);
    }

    @Test
    void colourPngsAreRefused() {
        byte[] rgb = new RgbImage(4, 4, new byte[48]).encodePng();
        assertThatThrownBy(() -> SemanticMap.decodePng(rgb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8-bit grayscale");
        assertThatThrownBy(() -> SemanticMap.decodePng(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nearestNeighbourResizeNeverBlendsIds() {
        // 4x2: columns 0..3 carry ids 10, 20, 30, 40
        SemanticMap map = new SemanticMap(4, 2, new int[] {10, 20, 30, 40, 10, 20, 30, 40});
        assertThat(map.resized(2, 1).classes()).containsExactly(10, 30);
        assertThat(map.resized(8, 2).classes()).containsExactly(10, 10, 20, 20, 30, 30, 40, 40,
                10, 10, 20, 20, 30, 30, 40, 40);
        assertThat(map.resized(3, 1).classes()).containsExactly(10, 20, 30);
        assertThat(map.mirrored().classes()).containsExactly(40, 30, 20, 10, 40, 30, 20, 10);
    }

    @Test
    void idsOutsideTheByteRangeAreRefused() {
        assertThatThrownBy(() -> new SemanticMap(1, 1, new int[] {256})).hasMessageContaining("outside 0..255");
        assertThatThrownBy(() -> new SemanticMap(2, 1, new int[] {1})).hasMessageContaining("expected 2");
    }
}
