package io.depthstream.model.device;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TorchLogLevelTest {

    @Test
    void readsTheVariableAsLibtorchDoesAndDefaultsToError() {
        assertThat(TorchLogLevel.level(null)).isEqualTo(TorchLogLevel.ERROR);
        assertThat(TorchLogLevel.level("info")).isZero();
        assertThat(TorchLogLevel.level("WARNING")).isEqualTo(1);
        assertThat(TorchLogLevel.level(" 2 ")).isEqualTo(2);
        assertThat(TorchLogLevel.level("FATAL")).isEqualTo(3);
        assertThat(TorchLogLevel.level("loud")).isEqualTo(TorchLogLevel.ERROR);
    }

    @Test
    void setsLibtorchsThresholdInThisJvm() {
        TorchLogLevel.apply();

        // libtorch's own default is WARNING (1): reading the level back proves the flag was found and written
        assertThat(TorchLogLevel.current()).isEqualTo(TorchLogLevel.level(System.getenv(TorchLogLevel.VARIABLE)));
    }
}
