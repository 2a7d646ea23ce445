package io.depthstream.model.device;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceChoiceTest {

    @Test
    void parsesConfigurationSpellingsCaseInsensitively() {
        assertThat(DeviceChoice.parse("auto")).isEqualTo(DeviceChoice.AUTO);
        assertThat(DeviceChoice.parse(" CPU ")).isEqualTo(DeviceChoice.CPU);
        assertThat(DeviceChoice.parse("Gpu")).isEqualTo(DeviceChoice.GPU);
        assertThat(DeviceChoice.GPU.configValue()).isEqualTo("gpu");
    }

    @Test
    void rejectsUnknownDeviceNamingTheAcceptedValues() {
        assertThatThrownBy(() -> DeviceChoice.parse("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tpu'")
                .hasMessageContaining("auto, cpu or gpu");
        assertThatThrownBy(() -> DeviceChoice.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void autoFallsBackToCpuWithoutGpuAndTakesTheAssignedGpuOtherwise() {
        assertThat(DeviceChoice.AUTO.resolve(0, 0)).isEqualTo(Device.cpu());
        assertThat(DeviceChoice.AUTO.resolve(2, 1)).isEqualTo(Device.gpu(1));
        assertThat(DeviceChoice.AUTO.resolve(2, 3)).isEqualTo(Device.gpu(1));
    }

    @Test
    void cpuStaysOnCpuEvenWithGpus() {
        assertThat(DeviceChoice.CPU.resolve(4, 2)).isEqualTo(Device.cpu());
    }

    @Test
    void gpuNeverFallsBackSilently() {
        assertThatThrownBy(() -> DeviceChoice.GPU.resolve(0, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sees no GPU")
                .hasMessageContaining("-Pgpu");
        assertThatThrownBy(() -> DeviceChoice.GPU.resolve(1, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GPU index 1");
        assertThat(DeviceChoice.GPU.resolve(2, 1)).isEqualTo(Device.gpu(1));
    }
}
