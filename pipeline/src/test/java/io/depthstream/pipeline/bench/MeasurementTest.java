package io.depthstream.pipeline.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeasurementTest {

    @Test
    void summarisesRoundsAsMedianMinMax() {
        Measurement odd = new Measurement("x", List.of(3.0, 1.0, 2.0));
        Measurement even = new Measurement("y", List.of(4.0, 1.0, 2.0, 3.0));

        assertThat(odd.median()).isEqualTo(2.0);
        assertThat(odd.min()).isEqualTo(1.0);
        assertThat(odd.max()).isEqualTo(3.0);
        assertThat(even.median()).isEqualTo(2.5);
        assertThatThrownBy(() -> new Measurement("z", List.of())).hasMessageContaining("no rounds");
    }
}
