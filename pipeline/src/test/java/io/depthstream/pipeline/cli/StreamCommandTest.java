package io.depthstream.pipeline.cli;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.operators.schedule.DecodeLayout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.depthstream.pipeline.cli.DepthstreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class StreamCommandTest {

    @Test
    void flagsOverrideTheConfigFileWhichOverridesTheDefaults(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("depthstream.yaml");
        Files.writeString(config, "model:\n  batch-size: 8\n  init: random\nparallelism: 2\n");

        DepthstreamCommandTest.Run run = run("stream", "--config", config.toString(), "--bootstrap", "broker:9093",
                "--parallelism", "3", "--print-config");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("bootstrap: broker:9093").contains("batch-size: 8").contains("init: random")
                .contains("parallelism: 3").contains("max-batch-delay-ms: 50");
    }

    @Test
    void latestFrameModeAndItsAgeBoundAreFlags() {
        DepthstreamCommandTest.Run defaults = run("stream", "--init", "random", "--print-config");
        assertThat(defaults.out()).contains("frame-policy: every-frame").contains("max-frame-age-ms: 1000");

        DepthstreamCommandTest.Run run = run("stream", "--init", "random", "--latest-frame", "--max-frame-age-ms",
                "250", "--print-config");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("frame-policy: latest-frame").contains("max-frame-age-ms: 250")
                .contains("init: random");
    }

    @Test
    void theShippedModelIsAChoiceAndBringsItsOwnInputSize() {
        DepthstreamCommandTest.Run run = run("stream", "--init", "synthetic", "--print-config");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("init: synthetic").contains("arch: lite").contains("height: 96")
                .contains("width: 320");
    }

    @Test
    void printConfigSaysWhichDecodeLayoutTheSettingChoosesHere(@TempDir Path dir) throws Exception {
        Path forced = dir.resolve("overlapped.yaml");
        Files.writeString(forced, "model:\n  init: random\n  decode: overlapped\n");
        DepthstreamCommandTest.Run auto = run("stream", "--init", "random", "--print-config");
        DepthstreamCommandTest.Run overlapped = run("stream", "--config", forced.toString(), "--print-config");

        assertThat(auto.exit()).as(auto.err()).isZero();
        assertThat(auto.out()).contains("decode: auto");
        assertThat(auto.out()).contains("# model.decode auto here: "
                + DecodeLayout.AUTO.resolveHere(DeviceChoice.AUTO).describe());
        assertThat(overlapped.exit()).as(overlapped.err()).isZero();
        assertThat(overlapped.out()).contains("decode: overlapped")
                .contains("# model.decode overlapped here: overlapped, ")
                .contains("(set: inference on the CPU with ")
                .contains("each TaskManager decides from its own device and cores when the job starts");

        Path wrong = dir.resolve("serial.yaml");
        Files.writeString(wrong, "model:\n  init: random\n  decode: serial\n");
        DepthstreamCommandTest.Run invalid = run("stream", "--config", wrong.toString(), "--print-config");
        assertThat(invalid.out()).contains("# model.decode can only be auto, overlapped or between-batches, got 'serial'")
                .doesNotContain("each TaskManager decides");
    }

    @Test
    void aJobWithoutAModelIsRefusedInOneLine() {
        DepthstreamCommandTest.Run run = run("stream", "--bootstrap", "localhost:1");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip()).startsWith("error: model.weights is required").doesNotContain("\n");
    }

    @Test
    void anUnknownSettingIsNamed(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "kafka:\n  bootstrap-servers: x:1\n");

        DepthstreamCommandTest.Run run = run("stream", "--config", config.toString(), "--print-config");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("unknown setting 'kafka.bootstrap-servers'").contains(config.toString());
    }

    @Test
    void printSubmitNamesTheJobJarEntryPointAndTheConfig() {
        DepthstreamCommandTest.Run run = run("stream", "--init", "random", "--print-submit");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("flink run --detached -c io.depthstream.pipeline.job.StreamingJobMain")
                .contains("-job.jar --config depthstream.yaml").contains("init: random");
    }

    @Test
    void aBadConfigFileIsRefusedInOneLineNamingTheKeyAndWhatItAllows(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.yaml");
        String[][] cases = {
            {"model:\n  init: random\n  batch-size: abc\n",
                "model.batch-size: expected an integer in -2147483648..2147483647, got 'abc'"},
            {"model:\n  init: random\n  device: tpu\n", "error: model.device must be auto, cpu or gpu, got 'tpu'"},
            {"model:\n  init: random\ntriplets:\n  max-gap: 0\n", "error: triplets.max-gap must be at least 1, got 0"},
        };
        for (String[] c : cases) {
            Files.writeString(config, c[0]);

            DepthstreamCommandTest.Run run = run("stream", "--config", config.toString());

            assertThat(run.exit()).as(c[0]).isEqualTo(1);
            assertThat(run.err().strip()).as(c[0]).contains(c[1]).doesNotContain("\n");
            assertThat(run.out()).as(c[0]).isEmpty();
        }
    }
}
