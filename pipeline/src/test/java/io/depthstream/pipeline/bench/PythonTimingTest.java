package io.depthstream.pipeline.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PythonTimingTest {

    @Test
    void readsTheElapsedSecondsOfAnInferenceReply() throws IOException {
        PythonTiming timing = PythonTiming.parse("1.250000\n");

        assertThat(timing.seconds()).isEqualTo(1.25);
        assertThat(timing.phases()).isEmpty();
    }

    @Test
    void readsPhasesInTheOrderTheyWereReported() throws IOException {
        PythonTiming timing = PythonTiming.parse("12.5 data=0.25 forward=6.0 backward=5.75 optimizer=0.5");

        assertThat(timing.seconds()).isEqualTo(12.5);
        assertThat(List.copyOf(timing.phases().keySet())).containsExactly("data", "forward", "backward", "optimizer");
        assertThat(timing.phases().get("backward")).isEqualTo(5.75);
    }

    @Test
    void rejectsWhatIsNotAReply() {
        assertThatThrownBy(() -> PythonTiming.parse(null)).isInstanceOf(IOException.class)
                .hasMessageContaining("ended unexpectedly");
        assertThatThrownBy(() -> PythonTiming.parse("Traceback (most recent call last):"))
                .isInstanceOf(IOException.class).hasMessageContaining("Traceback");
        assertThatThrownBy(() -> PythonTiming.parse("1.0 forward")).isInstanceOf(IOException.class)
                .hasMessageContaining("not name=seconds");
        assertThatThrownBy(() -> PythonTiming.parse("1.0 forward=fast")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PythonTiming.parse("1.0 forward=-0.5")).isInstanceOf(IOException.class)
                .hasMessageContaining("forward");
        assertThatThrownBy(() -> PythonTiming.parse("1.0 forward=0.5 forward=0.25")).isInstanceOf(IOException.class)
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> PythonTiming.parse("0")).isInstanceOf(IOException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> PythonTiming.parse("")).isInstanceOf(IOException.class);
    }
}
