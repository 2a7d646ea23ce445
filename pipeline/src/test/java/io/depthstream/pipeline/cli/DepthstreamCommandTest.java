package io.depthstream.pipeline.cli;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DepthstreamCommandTest {

    /** Exit status and what the command printed on stdout and stderr. */
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void versionNamesTheEnginesThisBuildBundles() {
        Run run = run("--version");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("depthstream 0.1.0-SNAPSHOT")
                .contains("Flink 2.2.0")
                .contains("DJL 0.25.0")
                .contains("PyTorch 2.0.1 (pytorch-native-cpu)");
    }

    @Test
    void helpListsOnlyCommandsThatExist() {
        Run run = run("--help");

        assertThat(run.exit()).isZero();
        assertThat(DepthstreamCommand.newCommandLine().getSubcommands().keySet())
                .containsExactlyInAnyOrder("bench", "demo", "doctor", "eval", "infer", "import-monodepth2", "loss",
                        "models", "replay", "stream", "synth", "train", "help");
        assertThat(run.out()).contains("demo").contains("doctor").contains("eval").contains("replay")
                .contains("stream").contains("synth").contains("train").contains("--verbose");
    }

    @Test
    void doctorLoadsTheEngineOfflineAndPasses() {
        Run run = run("doctor", "--device", "cpu");

        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out())
                .contains("PyTorch 2.0.1 via DJL 0.25.0")
                .contains("offline")
                .containsPattern("devices\\s+cpu\\(\\)")
                .containsPattern("flink\\s+2\\.2\\.0")
                .containsPattern("threads\\s+intra-op [1-9]")
                .contains("djl cache")
                .contains("cpu -> cpu()")
                .contains("ok:");
    }

    @Test
    void doctorFailsWhenAGpuIsDemandedButNoneIsVisible() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");

        Run run = run("doctor", "--device", "gpu");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("problems:").contains("sees no GPU");
    }

    @Test
    void doctorExplainsAGpuBuildOnAMachineWithoutCuda() {
        assertThat(DoctorCommand.nativesHint("pytorch-native-cu118", false))
                .contains("GPU build").contains("NVIDIA driver >= 520").contains("without -Pgpu");
        assertThat(DoctorCommand.nativesHint("pytorch-native-cu118", true)).isNull();
        assertThat(DoctorCommand.nativesHint("pytorch-native-cpu", false)).isNull();
    }

    @Test
    void doctorRejectsAnUnknownDevice() {
        Run run = run("doctor", "--device", "tpu");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("unknown device 'tpu'");
    }

    @Test
    void unknownCommandIsAUsageError() {
        Run run = run("teleport");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument").contains("'teleport'");
    }

    @Test
    void verboseIsAcceptedBeforeAndAfterTheCommand() {
        assertThat(run("--verbose", "doctor", "--device", "cpu").exit()).isZero();
        assertThat(run("doctor", "--verbose", "--device", "cpu").exit()).isZero();
    }
}
