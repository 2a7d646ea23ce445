package io.depthstream.model.device;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;

/** Which device the networks run on, as a user configures it: {@code auto}, {@code cpu} or {@code gpu}. */
public enum DeviceChoice {
    /** The first usable GPU when the engine sees one, otherwise the CPU. */
    AUTO,
    /** Always the CPU, even where a GPU exists. */
    CPU,
    /** A GPU; fails loudly when none is visible instead of silently running on the CPU. */
    GPU;

    /**
     * Parses a configuration value ({@code auto}, {@code cpu}, {@code gpu}; case-insensitive).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DeviceChoice parse(String value) {
        if (value != null) {
            for (DeviceChoice choice : values()) {
                if (choice.name().equalsIgnoreCase(value.trim())) {
                    return choice;
                }
            }
        }
        throw new IllegalArgumentException("unknown device '" + value + "': expected auto, cpu or gpu");
    }

    /** Resolves the choice against the engine's visible GPUs, using GPU index 0 when a GPU is chosen. */
    public Device resolve(Engine engine) {
        return resolve(engine.getGpuCount(), 0);
    }

    /**
     * Resolves the choice for a given number of visible GPUs.
     *
     * @param gpuCount GPUs the engine sees (0 with the CPU natives)
     * @param gpuIndex the GPU to use when one is chosen (on a cluster: the index Flink's GPU resource assigned)
     * @throws IllegalStateException when a GPU is demanded but none is visible, or the index is out of range
     */
    public Device resolve(int gpuCount, int gpuIndex) {
        switch (this) {
            case CPU:
                return Device.cpu();
            case AUTO:
                return gpuCount > 0 ? Device.gpu(Math.floorMod(gpuIndex, gpuCount)) : Device.cpu();
            case GPU:
                if (gpuCount == 0) {
                    throw new IllegalStateException(
                            "device gpu requested, but the PyTorch engine sees no GPU"
                                    + " (a build with -Pgpu, an NVIDIA driver >= 520 and a visible device are needed)");
                }
                if (gpuIndex < 0 || gpuIndex >= gpuCount) {
                    throw new IllegalStateException(
                            "GPU index " + gpuIndex + " requested, but the engine sees " + gpuCount + " GPU(s)");
                }
                return Device.gpu(gpuIndex);
            default:
                throw new AssertionError(this);
        }
    }

    /** The configuration spelling of this choice. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
