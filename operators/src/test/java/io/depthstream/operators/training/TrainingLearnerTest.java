package io.depthstream.operators.training;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.Augmentation;
import io.depthstream.model.train.CheckpointProgress;
import io.depthstream.model.train.StepLrSchedule;
import io.depthstream.model.train.TrainingCheckpoint;
import io.depthstream.model.train.TrainingConfig;
import io.depthstream.operators.inference.ModelSource;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The learner's epoch accounting, batching, skipping and checkpoints, with Flink's operator test harness. */
class TrainingLearnerTest {

    private static final int WIDTH = 64;
    private static final int HEIGHT = 64;
    private static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(HEIGHT, WIDTH);

    private static TrainingRunSettings settings(Path run, int lines, double maxSkip) {
        return new TrainingRunSettings(run.toString(), ModelSource.random(LITE, 3), null,
                TrainingConfig.monodepth2(5).withLearningRate(1e-4), new StepLrSchedule(1e-4, 0.5, 1),
                DeviceChoice.CPU, 2, 2, lines, 0, new int[0], Double.NaN, 0, 1, maxSkip, null, null);
    }

    private static PreparedTriplet triplet(int epoch, int line) {
        Random random = new Random(epoch * 100L + line);
        RgbImage[] frames = new RgbImage[3];
        for (int i = 0; i < 3; i++) {
            byte[] rgb = new byte[WIDTH * HEIGHT * 3];
            random.nextBytes(rgb);
            frames[i] = new RgbImage(WIDTH, HEIGHT, rgb);
        }
        return new PreparedTriplet(epoch, line, "synthetic line " + line, frames[0], frames[1], frames[2],
                Intrinsics.kittiNormalised(WIDTH, HEIGHT), null, Augmentation.none(), null);
    }

    private static PreparedTriplet skipped(int epoch, int line) {
        return new PreparedTriplet(epoch, line, "synthetic line " + line, null, null, null, null, null, null,
                "frame missing");
    }

    @Test
    void epochsEndWhenEveryLineArrivedEvenWithTheNextEpochOvertaking(@TempDir Path run) throws Exception {
        List<EpochSummary> summaries;
        try (OneInputStreamOperatorTestHarness<PreparedTriplet, EpochSummary> harness =
                     new OneInputStreamOperatorTestHarness<>(new TrainingLearner(settings(run, 3, 0.5)))) {
            harness.open();
            harness.processElement(new StreamRecord<>(triplet(0, 1)));
            harness.processElement(new StreamRecord<>(triplet(1, 2))); // a line of epoch 2 overtakes
            harness.processElement(new StreamRecord<>(skipped(0, 2)));
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.processElement(new StreamRecord<>(triplet(0, 3))); // lines 1 and 3: one step, epoch 1 ends
            assertThat(harness.extractOutputValues()).hasSize(1);
            harness.processElement(new StreamRecord<>(triplet(1, 3))); // with the waiting line 2: a full batch
            harness.processElement(new StreamRecord<>(triplet(1, 1))); // a last step of one, epoch 2 ends
            harness.endInput();
            summaries = harness.extractOutputValues();
        }

        assertThat(summaries).extracting(EpochSummary::epoch).containsExactly(1, 2);
        assertThat(summaries).extracting(EpochSummary::step).containsExactly(1L, 3L);
        assertThat(summaries).extracting(EpochSummary::skipped).containsExactly(1, 0);
        assertThat(summaries).allSatisfy(s -> assertThat(s.trainLoss()).isFinite().isPositive());
        assertThat(summaries).allSatisfy(s -> assertThat(s.validationLoss()).isNaN());
        assertThat(Files.readAllLines(run.resolve("skipped.txt"))).singleElement()
                .asString().contains("epoch 1").contains("line 2").contains("frame missing");
        List<Map<String, Double>> steps = MetricsCsv.read(run.resolve("metrics.csv"));
        assertThat(steps).extracting(row -> row.get("step").intValue()).containsExactly(1, 2, 3);
        assertThat(steps).extracting(row -> row.get("epoch").intValue()).containsExactly(1, 2, 2);
        // StepLR halves the rate every epoch
        assertThat(steps.get(0).get("lr")).isCloseTo(1e-4, within(1e-12));
        assertThat(steps.get(2).get("lr")).isCloseTo(5e-5, within(1e-12));
        CheckpointProgress afterFirst = TrainingCheckpoint.read(run.resolve("weights/epoch_1"));
        assertThat(afterFirst.step()).isEqualTo(1);
        assertThat(afterFirst.epoch()).isEqualTo(1);
        assertThat(afterFirst.consumedLines()).isEmpty();
        assertThat(TrainingCheckpoint.read(run.resolve("weights/epoch_2")).step()).isEqualTo(3);
        assertThat(run.resolve("weights/best")).doesNotExist();
        assertThat(run.resolve("metrics.png")).isRegularFile();
        assertThat(MetricsCsv.read(run.resolve("validation.csv"))).hasSize(2);
    }

    @Test
    void stepCheckpointsRecordTheLinesAlreadyTrainedOn(@TempDir Path run) throws Exception {
        TrainingRunSettings base = settings(run, 5, 0.5);
        TrainingRunSettings everyStep = new TrainingRunSettings(base.runDirectory(), base.model(), null,
                base.training(), base.schedule(), base.device(), 2, 1, 5, 0, new int[0], Double.NaN, 1, 1, 0.5, null, null);
        try (OneInputStreamOperatorTestHarness<PreparedTriplet, EpochSummary> harness =
                     new OneInputStreamOperatorTestHarness<>(new TrainingLearner(everyStep))) {
            harness.open();
            harness.processElement(new StreamRecord<>(triplet(0, 4)));
            harness.processElement(new StreamRecord<>(skipped(0, 1)));
            harness.processElement(new StreamRecord<>(triplet(0, 2)));
            harness.processElement(new StreamRecord<>(triplet(0, 5))); // waits for a second line
        }

        CheckpointProgress progress = TrainingCheckpoint.read(run.resolve("checkpoints/step_1"));
        assertThat(progress.step()).isEqualTo(1);
        assertThat(progress.epoch()).isZero();
        // line 5 had not been trained on: a resumed run reads it again
        assertThat(progress.consumedLines()).containsExactly(1, 2, 4);
    }

    @Test
    void tooManyUnusableLinesFailTheRunNamingTheList(@TempDir Path run) throws Exception {
        try (OneInputStreamOperatorTestHarness<PreparedTriplet, EpochSummary> harness =
                     new OneInputStreamOperatorTestHarness<>(new TrainingLearner(settings(run, 10, 0.1)))) {
            harness.open();
            harness.processElement(new StreamRecord<>(skipped(0, 1)));
            assertThatThrownBy(() -> harness.processElement(new StreamRecord<>(skipped(0, 2))))
                    .hasMessageContaining("2 of the 10 lines of epoch 1 could not be used")
                    .hasMessageContaining(run.resolve("skipped.txt").toString());
        }
    }
}
