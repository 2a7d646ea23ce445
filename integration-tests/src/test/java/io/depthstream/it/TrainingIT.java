package io.depthstream.it;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Locale;
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

    /**
     * The tiny model learns depth: three epochs from random weights on a synthetic drive, then the Eigen evaluation of
     * its best weights on the drive's test frames against the same evaluation of the untrained model.
     */
    @Test
    void aTinyModelTrainedFromRandomWeightsBeatsTheUntrainedModelOnTheEigenEvaluation(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("kitti");
        // 400 frames: 260 training, 60 validation and 79 test lines of one drive; rendered at twice the input size
        new SyntheticDriveWriter(3, 1, new DriveOptions(400, 384, 128, false, false)).write(data, (d, t) -> { });
        Path splits = data.resolve("splits");
        Path test = splits.resolve("test_files.txt");
        Path run = dir.resolve("run");

        // the defaults of a run from random weights, auto-mask warm-up included; 195 steps of 4
        Result trained = run(List.of("train", "--data", data.toString(), "--split-dir", splits.toString(),
                "--eval-split", test.toString(), "--out", run.toString(), "--arch", "lite", "--height", "64",
                "--width", "192", "--batch", "4", "--epochs", "3", "--parallelism", "1", "--device", "cpu"));
        assertThat(trained.exit()).as(trained.output()).isZero();
        Path untrainedJson = dir.resolve("untrained.json");
        Result untrained = run(List.of("eval", "--data", data.toString(), "--split", test.toString(), "--init",
                "random", "--arch", "lite", "--height", "64", "--width", "192", "--json", untrainedJson.toString()));
        assertThat(untrained.exit()).as(untrained.output()).isZero();

        JsonNode after = new ObjectMapper().readTree(run.resolve("eval.json").toFile());
        JsonNode before = new ObjectMapper().readTree(untrainedJson.toFile());
        assertThat(after.path("images").asInt()).isEqualTo(79);
        assertThat(before.path("images").asInt()).isEqualTo(79);
        double absRelTrained = after.path("abs_rel").asDouble();
        double absRelUntrained = before.path("abs_rel").asDouble();
        String seen = String.format(Locale.ROOT, "abs_rel trained %.3f, untrained %.3f; a1 %.3f, %.3f",
                absRelTrained, absRelUntrained, after.path("a1").asDouble(), before.path("a1").asDouble());
        System.out.println("TrainingIT: " + seen);
        // seen: 0.247 against 0.450, a1 0.666 against 0.324 (without the warm-up the same run ends at 0.735)
        assertThat(absRelTrained).as(seen).isLessThan(0.75 * absRelUntrained);
        assertThat(after.path("a1").asDouble()).as(seen).isGreaterThan(before.path("a1").asDouble());
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
