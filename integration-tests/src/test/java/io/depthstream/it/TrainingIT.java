package io.depthstream.it;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.DepthModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offline training job as a user runs it: {@code depthstream train} in its own JVM, killed with SIGKILL in the
 * middle of an epoch and continued with {@code --resume}.
 */
class TrainingIT {

    private static final int LINES = 12;
    private static final int BATCH = 2;
    private static final int EPOCHS = 2;
    private static final int STEPS = EPOCHS * LINES / BATCH;

    static Path jar;

    @BeforeAll
    static void locateJar() {
        jar = Paths.get(System.getProperty("depthstream.cli.jar")).toAbsolutePath().normalize();
        assertThat(jar).isRegularFile();
    }

    @Test
    void aKilledRunResumesFromItsNewestCheckpointAndEndsWhereAnUninterruptedRunEnds(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("kitti");
        new SyntheticDriveWriter(21, 1, new DriveOptions(LINES + 2, 192, 64, false, false)).write(data, (d, t) -> { });
        Path split = dir.resolve("train.txt");
        StringBuilder lines = new StringBuilder();
        for (int frame = 1; frame <= LINES; frame++) {
            lines.append("2011_09_26/").append(SyntheticDriveWriter.driveName(1)).append(' ').append(frame).append(" l\n");
        }
        Files.writeString(split, lines);

        // one reader: the order of the lines, and so the batches, depends on the seed alone
        Path straight = dir.resolve("straight");
        Result reference = run(train(data, split, straight));
        assertThat(reference.exit()).as(reference.output()).isZero();
        assertThat(steps(straight)).containsExactlyElementsOf(range(STEPS));

        Path killed = dir.resolve("killed");
        Process first = start(train(data, split, killed), dir.resolve("first.log"));
        Path checkpoint = killed.resolve("checkpoints").resolve("step_3");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (!Files.exists(checkpoint.resolve("progress.json")) && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(checkpoint).as(Files.readString(dir.resolve("first.log"))).isDirectory();
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up
        assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        List<Long> before = steps(killed);
        assertThat(before.get(before.size() - 1)).as("killed in the first epoch").isLessThan(LINES / BATCH);

        Result resumed = run(List.of("train", "--out", killed.toString(), "--resume"));

        assertThat(resumed.exit()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("resuming from").contains("step_");
        assertThat(steps(killed)).as("every step once, none repeated or lost").containsExactlyElementsOf(range(STEPS));
        assertThat(killed.resolve("weights/epoch_2")).isDirectory();
        assertThat(killed.resolve("weights/best")).doesNotExist(); // no validation split, nothing to choose by
        try (DepthModel a = ModelWeights.load(straight.resolve("weights/epoch_2"), Device.cpu());
             DepthModel b = ModelWeights.load(killed.resolve("weights/epoch_2"), Device.cpu())) {
            Map<String, Parameter> expected = a.torchParameters();
            Map<String, Parameter> actual = b.torchParameters();
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            for (Map.Entry<String, Parameter> entry : expected.entrySet()) {
                float[] want = entry.getValue().getArray().toFloatArray();
                float[] got = actual.get(entry.getKey()).getArray().toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertThat(Math.abs(got[i] - want[i])).as(entry.getKey() + "[" + i + "]")
                            .isLessThanOrEqualTo(1e-5f + 1e-4f * Math.abs(want[i]));
                }
            }
        }
    }

    private static List<String> train(Path data, Path split, Path out) {
        return List.of("train", "--data", data.toString(), "--train-split", split.toString(), "--out", out.toString(),
                "--arch", "lite", "--height", "64", "--width", "192", "--epochs", String.valueOf(EPOCHS), "--batch",
                String.valueOf(BATCH), "--checkpoint-every", "3", "--keep-checkpoints", "1", "--parallelism", "1",
                "--lr", "1e-3", "--device", "cpu");
    }

    private static List<Long> range(int steps) {
        List<Long> all = new ArrayList<>();
        for (long step = 1; step <= steps; step++) {
            all.add(step);
        }
        return all;
    }

    /** The step column of RUN_DIR/metrics.csv. */
    private static List<Long> steps(Path run) throws IOException {
        try (Stream<String> rows = Files.lines(run.resolve("metrics.csv"), StandardCharsets.UTF_8)) {
            List<String> all = rows.collect(Collectors.toList());
            assertThat(all.get(0)).startsWith("step,epoch,loss,");
            return all.subList(1, all.size()).stream().map(row -> Long.parseLong(row.substring(0, row.indexOf(','))))
                    .collect(Collectors.toList());
        }
    }

    record Result(int exit, String output) {}

    private static List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Doffline=true");
        command.add("-Xmx2g");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        return command;
    }

    private static Process start(List<String> args, Path log) throws IOException {
        return new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static Result run(List<String> args) throws IOException, InterruptedException {
        File log = Files.createTempFile("train", ".log").toFile();
        Process process = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log.toPath());
        Files.delete(log.toPath());
        return new Result(process.exitValue(), output);
    }
}
