package io.depthstream.pipeline.cli;

import ai.djl.engine.EngineException;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class EngineLoadFailureTest {

    /** The chain DJL 0.25 throws when the CUDA natives are refused and, offline, CPU natives cannot be fetched. */
    static Throwable cudaNativesRefusedOffline() {
        IOException offline = new IOException("Offline model is enabled.");
        EngineException index = new EngineException("Failed to save pytorch index file", offline);
        return new ExceptionInInitializerError(index);
    }

    @Test
    void explainsTheGpuBuildWithoutADriverInOneLine() {
        String line = EngineLoadFailure.explain(cudaNativesRefusedOffline(), "pytorch-native-cu118");

        assertThat(line).contains("GPU build").contains("NVIDIA driver >= 520").contains("DEPTHSTREAM_GPU")
                .contains("pipeline/target/depthstream.jar").doesNotContain("\n");
    }

    @Test
    void recognisesTheLaterNoClassDefFoundError() {
        Throwable later = new NoClassDefFoundError("Could not initialize class ai.djl.pytorch.jni.LibUtils");

        assertThat(EngineLoadFailure.explain(later, "pytorch-native-cu118")).contains("GPU build");
    }

    @Test
    void leavesOtherFailuresAndTheCpuBuildAlone() {
        assertThat(EngineLoadFailure.explain(cudaNativesRefusedOffline(), "pytorch-native-cpu")).isNull();
        assertThat(EngineLoadFailure.explain(new IllegalStateException("weights missing"), "pytorch-native-cu118"))
                .isNull();
        assertThat(EngineLoadFailure.explain(new NoClassDefFoundError("picocli/CommandLine"), "pytorch-native-cu118"))
                .isNull();
    }
}
