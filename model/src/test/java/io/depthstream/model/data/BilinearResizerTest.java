package io.depthstream.model.data;

import io.depthstream.model.io.Npy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BilinearResizerTest {

    private static Npy golden(String name) throws Exception {
        Path path = Paths.get(BilinearResizerTest.class.getResource("/golden/resize/" + name).toURI());
        return Npy.read(path);
    }

    @Test
    void matchesHalfPixelBilinearOfPyTorch() throws Exception {
        for (String name : new String[] {"up", "down", "mixed"}) {
            Npy in = golden(name + "_in.npy");
            Npy out = golden(name + "_out.npy");
            float[] resized = BilinearResizer.resize(in.toFloatArray(), (int) in.shape()[1], (int) in.shape()[0],
                    (int) out.shape()[1], (int) out.shape()[0]);

            float[] expected = out.toFloatArray();
            assertThat(resized).hasSameSizeAs(expected);
            for (int i = 0; i < expected.length; i++) {
                assertThat(resized[i]).as("%s value %d", name, i).isCloseTo(expected[i], within(1e-6f));
            }
        }
    }

    @Test
    void sameSizeIsTheIdentity() {
        float[] plane = {1f, 2f, 3f, 4f, 5f, 6f};
        assertThat(BilinearResizer.resize(plane, 3, 2, 3, 2)).containsExactly(plane);
    }
}
