package io.depthstream.model.online;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.train.TrainingSample;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompactTripletTest {

    private static RgbImage image(int seed) {
        byte[] rgb = new byte[4 * 2 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (seed * 31 + i * 17);
        }
        return new RgbImage(4, 2, rgb);
    }

    @Test
    void expandsToTheFloatFramesAndUnsignedClassIds() {
        Intrinsics k = Intrinsics.kittiNormalised(4, 2);
        byte[] classes = {0, 1, 2, (byte) 200, 7, 7, 7, (byte) 255};
        CompactTriplet triplet = new CompactTriplet(image(1), image(2), image(3), k, classes);

        TrainingSample sample = triplet.expand();

        assertThat(triplet.frameValues()).isEqualTo(24);
        assertThat(triplet.complete()).isTrue();
        assertThat(Arrays.equals(sample.previous(), image(1).toChwFloats())).isTrue();
        assertThat(Arrays.equals(sample.current(), image(2).toChwFloats())).isTrue();
        assertThat(Arrays.equals(sample.next(), image(3).toChwFloats())).isTrue();
        assertThat(sample.intrinsics()).isEqualTo(k);
        assertThat(sample.semantic().classes()).containsExactly(0, 1, 2, 200, 7, 7, 7, 255);
    }

    @Test
    void aMissingNeighbourIsIncompleteAndAWrongMapIsRefused() {
        Intrinsics k = Intrinsics.kittiNormalised(4, 2);
        CompactTriplet start = new CompactTriplet(null, image(2), image(3), k, null);
        assertThat(start.complete()).isFalse();
        assertThat(start.expand().previous()).isNull();
        assertThatThrownBy(() -> new CompactTriplet(image(1), image(2), image(3), k, new byte[3]))
                .hasMessageContaining("3 values for a 4x2 frame");
    }
}
