package io.depthstream.pipeline.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Drives the real PyTorch scripts; skipped where /usr/bin/python3 has no torch. */
class PythonEagerProcessTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Tests run in the pipeline module's directory. */
    private static final Path SCRIPTS = Path.of("..", "integration-tests", "bench");

    @Test
    void trainingScriptAnswersWithElapsedSecondsAndItsPhases() throws Exception {
        assumeTorch();

        try (PythonEagerProcess process = new PythonEagerProcess(PYTHON, SCRIPTS.resolve("monodepth2_train.py"),
                "lite", 64, 96, 1)) {
            assertThat(process.banner()).startsWith("torch ").endsWith("threads 1");
            for (int batch : new int[] {1, 2}) {
                PythonTiming timing = process.train(batch, 2);

                assertThat(timing.phases()).containsOnlyKeys("data", "forward", "backward", "optimizer");
                assertThat(timing.phases().values()).allSatisfy(seconds -> assertThat(seconds).isPositive());
                double phases = timing.phases().values().stream().mapToDouble(Double::doubleValue).sum();
                // the phases are parts of the whole request
                assertThat(phases).isLessThanOrEqualTo(timing.seconds());
            }
        }
    }

    @Test
    void inferenceScriptStillAnswersWithSecondsAlone() throws Exception {
        assumeTorch();

        try (PythonEagerProcess process = new PythonEagerProcess(PYTHON, SCRIPTS.resolve("monodepth2_eager.py"),
                "lite", 64, 96, 1)) {
            assertThat(process.run("depth+pose", 2, 1)).isPositive();
        }
    }

    @Test
    void anUnknownRequestEndsTheTrainingProcessWithAClearError() throws Exception {
        assumeTorch();

        try (PythonEagerProcess process = new PythonEagerProcess(PYTHON, SCRIPTS.resolve("monodepth2_train.py"),
                "lite", 64, 96, 1)) {
            assertThatThrownBy(() -> process.run("depth", 1, 1)).hasMessageContaining("ended unexpectedly");
        }
    }

    @Test
    void aMissingScriptIsReportedByName() {
        Path missing = SCRIPTS.resolve("no_such_script.py");

        assertThatThrownBy(() -> new PythonEagerProcess(PYTHON, missing, "lite", 64, 96, 1))
                .hasMessageContaining("no_such_script.py");
    }

    private static void assumeTorch() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON);
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, torchvision")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "no torch for " + PYTHON);
    }
}
