package io.depthstream.pipeline.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.operators.training.MetricsCsv;
import io.depthstream.pipeline.cli.DepthstreamCommand;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code depthstream train} end to end on a local MiniCluster: synthetic drives, and the real KITTI fixture. */
class TrainCommandTest {

    private static final String SYNTHETIC_DRIVE = "2011_09_26/" + SyntheticDriveWriter.driveName(1);
    private static final String SYNTHETIC_VAL_DRIVE = "2011_09_26/" + SyntheticDriveWriter.driveName(2);
    private static final String FIXTURE_DRIVE = "2011_09_26/2011_09_26_drive_0000_sync";

    @TempDir
    static Path shared;
    static Path data;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void writeDrives() throws IOException {
        data = shared.resolve("kitti");
        new SyntheticDriveWriter(3, 2, new DriveOptions(26, 192, 64, false, false)).write(data, (d, t) -> { });
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Path split(Path dir, String name, String drive, IntStream frames) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, frames.mapToObj(f -> drive + " " + f + " l").collect(Collectors.joining("\n", "", "\n")));
        return file;
    }

    @Test
    void trainsValidatesCheckpointsAndEvaluates(@TempDir Path dir) throws Exception {
        Path train = split(dir, "train.txt", SYNTHETIC_DRIVE, IntStream.rangeClosed(1, 8));
        Path val = split(dir, "val.txt", SYNTHETIC_VAL_DRIVE, IntStream.rangeClosed(1, 8));
        Path test = split(dir, "test.txt", SYNTHETIC_VAL_DRIVE, IntStream.rangeClosed(12, 23));
        Path out = dir.resolve("run");

        Run run = run("train", "--data", data.toString(), "--train-split", train.toString(), "--val-split",
                val.toString(), "--eval-split", test.toString(), "--out", out.toString(), "--arch", "lite", "--height",
                "64", "--width", "192", "--epochs", "4", "--batch", "4", "--lr", "2e-4", "--no-augment", "--parallelism",
                "1", "--checkpoint-every", "3", "--device", "cpu");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertThat(metrics.get(0)).startsWith("step,epoch,loss,photometric,smoothness").endsWith(",lr,images_per_s");
        List<Map<String, Double>> steps = MetricsCsv.read(out.resolve("metrics.csv"));
        assertThat(steps).extracting(row -> row.get("step").intValue()).containsExactlyElementsOf(
                IntStream.rangeClosed(1, 8).boxed().toList());
        assertThat(steps).allSatisfy(row -> assertThat(row.get("loss")).isFinite().isPositive());

        List<Map<String, Double>> epochs = MetricsCsv.read(out.resolve("validation.csv"));
        assertThat(epochs).hasSize(4);
        // the same 8 triplets every epoch, in an order fixed by the seed, without augmentation
        double firstTrain = epochs.get(0).get("train_loss");
        double lastTrain = epochs.get(3).get("train_loss");
        assertThat(lastTrain).as("mean training loss of epoch 4 (%.5f) below epoch 1 (%.5f)", lastTrain, firstTrain)
                .isLessThan(firstTrain);
        assertThat(epochs).allSatisfy(row -> assertThat(row.get("val_loss")).isFinite().isPositive());
        assertThat(epochs).allSatisfy(row -> assertThat(row.get("abs_rel")).as("velodyne ground truth").isFinite());

        for (String weights : List.of("epoch_1", "epoch_2", "epoch_3", "epoch_4", "best")) {
            assertThat(out.resolve("weights").resolve(weights).resolve("config.json")).isRegularFile();
        }
        assertThat(out.resolve("checkpoints")).isDirectory();
        BufferedImage curves = ImageIO.read(out.resolve("metrics.png").toFile());
        assertThat(curves.getWidth()).isGreaterThan(100);

        JsonNode trained = new ObjectMapper().readTree(out.resolve("eval.json").toFile());
        assertThat(trained.get("images").asInt()).isEqualTo(12);
        assertThat(trained.get("abs_rel").asDouble()).isFinite().isPositive();
        assertThat(trained.get("a1").asDouble()).isBetween(0.0, 1.0);
        assertThat(Path.of(trained.get("weights").asText())).isEqualTo(out.resolve("weights/best").toAbsolutePath());
        assertThat(run.out()).contains("| 4 | 8 |").contains("weights/best");
    }

    @Test
    void unusableLinesAreSkippedListedAndFailTheRunAboveTheAllowedFraction(@TempDir Path dir) throws Exception {
        // frame 0 has no previous frame and frame 40 does not exist: 2 of 8 lines per epoch are unusable
        Path train = split(dir, "train.txt", SYNTHETIC_DRIVE, IntStream.of(0, 1, 2, 3, 4, 5, 6, 40));

        Run tolerant = run("train", "--data", data.toString(), "--train-split", train.toString(), "--out",
                dir.resolve("tolerant").toString(), "--arch", "lite", "--height", "64", "--width", "192", "--epochs",
                "1", "--batch", "3", "--max-skip-fraction", "0.25", "--parallelism", "2", "--device", "cpu");
        Run strict = run("train", "--data", data.toString(), "--train-split", train.toString(), "--out",
                dir.resolve("strict").toString(), "--arch", "lite", "--height", "64", "--width", "192", "--epochs",
                "1", "--batch", "3", "--max-skip-fraction", "0.2", "--device", "cpu");

        assertThat(tolerant.exit()).as(tolerant.out() + tolerant.err()).isZero();
        List<String> skipped = Files.readAllLines(dir.resolve("tolerant/skipped.txt"));
        assertThat(skipped).hasSize(2);
        assertThat(String.join("\n", skipped)).contains(" 0 l").contains(" 40 l");
        assertThat(MetricsCsv.read(dir.resolve("tolerant/metrics.csv"))).hasSize(2); // 6 usable lines, batch 3
        assertThat(strict.exit()).isEqualTo(1);
        assertThat(strict.err()).contains("could not be used").contains("skipped.txt").contains("--resume");
    }

    @Test
    void refusesToOverwriteARunAndToResumeNothing(@TempDir Path dir) throws Exception {
        Path train = split(dir, "train.txt", SYNTHETIC_DRIVE, IntStream.rangeClosed(1, 4));
        Path out = dir.resolve("run");
        Files.createDirectories(out);
        Files.writeString(out.resolve("run.json"), "{}");

        Run again = run("train", "--data", data.toString(), "--train-split", train.toString(), "--out", out.toString());
        Run nothing = run("train", "--out", dir.resolve("empty").toString(), "--resume");
        Run changed = run("train", "--out", out.toString(), "--resume", "--batch", "8");

        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("already holds a run").contains("--resume");
        assertThat(nothing.exit()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to resume");
        assertThat(changed.exit()).isEqualTo(2);
        assertThat(changed.err()).contains("--batch cannot change");
    }

    @Test
    void trainsOnTheRealKittiArchivesAndEvaluatesWithVelodyne(@TempDir Path dir) throws Exception {
        Path fixtures = fixtures();
        Path archives = dir.resolve("archives");
        Process pack = new ProcessBuilder("bash", fixtures.resolve("make-kitti-archives.sh").toString(), archives.toString())
                .redirectErrorStream(true).start();
        String packed = new String(pack.getInputStream().readAllBytes());
        assertThat(pack.waitFor(2, TimeUnit.MINUTES)).isTrue();
        Assumptions.assumeTrue(pack.exitValue() != 2, "make-kitti-archives.sh needs zip: " + packed);
        assertThat(pack.exitValue()).as(packed).isZero();
        Path train = split(dir, "train.txt", FIXTURE_DRIVE, IntStream.rangeClosed(1, 4));
        Path val = split(dir, "val.txt", FIXTURE_DRIVE, IntStream.rangeClosed(5, 6));
        Path test = split(dir, "test.txt", FIXTURE_DRIVE, IntStream.rangeClosed(7, 10));
        Path out = dir.resolve("run");

        Run run = run("train", "--data", archives.toString(), "--train-split", train.toString(), "--val-split",
                val.toString(), "--eval-split", test.toString(), "--out", out.toString(), "--arch", "lite", "--height",
                "96", "--width", "320", "--epochs", "1", "--batch", "2", "--device", "cpu");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(MetricsCsv.read(out.resolve("metrics.csv"))).hasSize(2);
        Map<String, Double> epoch = MetricsCsv.read(out.resolve("validation.csv")).get(0);
        assertThat(epoch.get("val_loss")).isFinite().isPositive();
        assertThat(epoch.get("abs_rel")).isFinite().isPositive();
        assertThat(epoch.get("a1")).isBetween(0.0, 1.0);
        JsonNode eval = new ObjectMapper().readTree(out.resolve("eval.json").toFile());
        assertThat(eval.get("images").asInt()).isEqualTo(4);
        assertThat(eval.get("abs_rel").asDouble()).isFinite().isPositive();
        assertThat(run.out()).contains("| 1 | 2 |");
    }

    private static Path fixtures() {
        String property = System.getProperty("depthstream.fixtures");
        Assumptions.assumeTrue(property != null, "system property depthstream.fixtures is not set: real-KITTI test skipped");
        Path path = Path.of(property);
        Assumptions.assumeTrue(Files.isDirectory(path.resolve("kitti_raw/2011_09_26")),
                "no KITTI fixture at " + path + "/kitti_raw/2011_09_26: real-KITTI test skipped");
        return path;
    }
}
