package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelsLastTest {

    @Test
    void layoutChangeKeepsEveryValueInPlace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomUniform(0f, 1f, new Shape(2, 3, 5, 7));
            NDArray channelsLast = ChannelsLast.of(x);

            assertThat(channelsLast.getShape()).isEqualTo(x.getShape());
            assertThat(channelsLast.toFloatArray()).containsExactly(x.toFloatArray());
            assertThat(channelsLast.get("1, 2, 4, 6").getFloat()).isEqualTo(x.get("1, 2, 4, 6").getFloat());
        }
    }

    @Test
    void channelsLastReflectionPaddingEqualsThePlanarOne() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomUniform(0f, 1f, new Shape(2, 3, 5, 7));
            for (int pad : new int[] {1, 2, 4}) {
                float[] expected = ReflectionPad2d.pad(x, pad).toFloatArray();

                NDArray fromChannelsLast = ReflectionPad2d.padChannelsLast(ChannelsLast.of(x), pad);
                NDArray fromPlanar = ReflectionPad2d.padChannelsLast(x, pad);

                assertThat(fromChannelsLast.getShape()).isEqualTo(new Shape(2, 3, 5 + 2 * pad, 7 + 2 * pad));
                assertThat(fromChannelsLast.toFloatArray()).as("pad %d", pad).containsExactly(expected);
                assertThat(fromPlanar.toFloatArray()).as("pad %d", pad).containsExactly(expected);
            }
        }
    }
}
