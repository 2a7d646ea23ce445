package io.depthstream.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyTest {

    static Path golden(String name) throws URISyntaxException {
        return Paths.get(NpyTest.class.getResource("/golden/npy/" + name).toURI());
    }

    @Test
    void readsArraysWrittenByNumpy() throws Exception {
        Npy matrix = Npy.read(golden("f32_2x3.npy"));
        Npy vector = Npy.read(golden("f64_vec.npy"));
        Npy scalar = Npy.read(golden("f32_scalar.npy"));

        assertThat(matrix.shape()).containsExactly(2, 3);
        assertThat(matrix.data()).containsExactly(0, 0.25, 0.5, 0.75, 1.0, 1.25);
        assertThat(vector.shape()).containsExactly(3);
        assertThat(vector.data()).containsExactly(1.5, -2.25, 1e-300);
        assertThat(scalar.shape()).isEmpty();
        assertThat(scalar.data()).containsExactly(7.0);
    }

    @Test
    void writeThenReadIsExact(@TempDir Path dir) {
        Npy original = Npy.of(new float[] {1f, -0.5f, 3.25f, 1e-7f}, 1, 1, 2, 2);
        Path file = dir.resolve("disp.npy");

        original.writeFloat32(file);
        Npy back = Npy.read(file);

        assertThat(back.shape()).containsExactly(1, 1, 2, 2);
        assertThat(back.toFloatArray()).containsExactly(1f, -0.5f, 3.25f, 1e-7f);
        assertThat(original.toBytes(true).length % 64).isEqualTo(16 % 64);
    }

    @Test
    void rejectsWhatItCannotRead() {
        assertThatThrownBy(() -> Npy.parse(new byte[] {1, 2, 3}, "x.npy")).hasMessageContaining("not a .npy");
        assertThatThrownBy(() -> new Npy(new long[] {2, 2}, new double[3])).hasMessageContaining("4 values");
    }
}
