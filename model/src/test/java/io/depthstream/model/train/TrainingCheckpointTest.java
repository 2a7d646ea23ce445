package io.depthstream.model.train;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.depthstream.model.loss.PretextDistillationConfig;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.depthstream.model.train.TrainingStepTest.LITE;
import static io.depthstream.model.train.TrainingStepTest.slidingPlane;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Checkpoint, restore in a fresh model and training step, continue: the same run as without the interruption. */
class TrainingCheckpointTest {

    static final int BEFORE = 2;
    static final int AFTER = 2;
    static final long SEED = 7;

    @TempDir
    Path root;

    static List<TrainingSample> batch() {
        return List.of(slidingPlane(1.0), slidingPlane(-1.5));
    }

    /** Every parameter and batch-norm statistic of the networks and the step's pretext head, by stable name. */
    static Map<String, float[]> state(DepthModel model, TrainingStep step) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> pair : model.depthNet().getParameters()) {
            out.put("depth." + pair.getKey(), pair.getValue().getArray().toFloatArray());
        }
        for (Pair<String, Parameter> pair : model.poseNet().getParameters()) {
            out.put("pose." + pair.getKey(), pair.getValue().getArray().toFloatArray());
        }
        if (step.pretextHead() != null) {
            step.pretextHead().parametersByName()
                    .forEach((name, parameter) -> out.put("pretext." + name, parameter.getArray().toFloatArray()));
        }
        return out;
    }

    static CheckpointProgress progress(TrainingStep step, int[] consumed) {
        return new CheckpointProgress(step.steps(), 1, step.learningRate(), consumed, 0.125, SEED,
                Map.of("split", "synthetic"));
    }

    /** The last step takes augmentations drawn by the caller, as the training job does per sample. */
    static StepResult continueRun(TrainingStep step, int index) {
        if (index < AFTER - 1) {
            return step.step(batch());
        }
        List<Augmentation> drawn = new ArrayList<>();
        for (int line = 0; line < 2; line++) {
            drawn.add(Augmentation.draw(new Random(DerivedSeed.of(SEED, 1, line))));
        }
        return step.step(batch(), drawn);
    }

    @Test
    void aRestoredRunContinuesExactlyLikeTheUninterruptedOne() {
        LossConfig loss = LossConfig.monodepth2().withPretext(PretextDistillationConfig.tripleDNet());
        TrainingConfig config = TrainingConfig.monodepth2(SEED).withLoss(loss).withLearningRate(1e-3);
        Path checkpoint = root.resolve("step-" + BEFORE);
        int[] consumed = {4, 0, 9};
        Map<String, float[]> atCheckpoint;
        Map<String, float[]> straightEnd;
        List<StepResult> straightResults = new ArrayList<>();
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            TrainingStep straight = new TrainingStep(model, config);
            for (int i = 0; i < BEFORE; i++) {
                assertThat(straight.step(batch()).applied()).isTrue();
            }
            // as a schedule changes it at an epoch boundary: the restored run must keep it
            straight.setLearningRate(4e-4);
            TrainingCheckpoint.write(checkpoint, model, straight, progress(straight, consumed));
            atCheckpoint = state(model, straight);
            for (int i = 0; i < AFTER; i++) {
                straightResults.add(continueRun(straight, i));
            }
            straightEnd = state(model, straight);
        }

        try (DepthModel model = TrainingCheckpoint.restore(checkpoint, Device.cpu())) {
            TrainingStep resumed = new TrainingStep(model, config);
            CheckpointProgress progress = TrainingCheckpoint.restore(checkpoint, resumed);

            assertThat(progress).isEqualTo(new CheckpointProgress(BEFORE, 1, 4e-4, consumed, 0.125, SEED,
                    Map.of("split", "synthetic")));
            assertThat(resumed.steps()).isEqualTo(BEFORE);
            assertThat(resumed.learningRate()).isEqualTo(4e-4);
            assertClose(state(model, resumed), atCheckpoint, 0, "restored");

            for (int i = 0; i < AFTER; i++) {
                StepResult result = continueRun(resumed, i);
                StepResult expected = straightResults.get(i);
                assertThat(result.step()).isEqualTo(expected.step());
                assertThat(result.learningRate()).isEqualTo(expected.learningRate());
                assertThat(result.report().total()).as("loss of step %d", result.step())
                        .isCloseTo(expected.report().total(), within(1e-6));
            }
            Map<String, float[]> resumedEnd = state(model, resumed);
            assertThat(resumed.steps()).isEqualTo(BEFORE + AFTER);
            assertClose(resumedEnd, straightEnd, 1e-6f, "after resuming");
            // the continuation did move the weights: equality is not just the checkpoint twice
            float[] first = atCheckpoint.values().iterator().next();
            assertThat(resumedEnd.values().iterator().next()).isNotEqualTo(first);
        }
    }

    static void assertClose(Map<String, float[]> actual, Map<String, float[]> expected, float tolerance, String when) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        assertThat(actual.keySet()).anyMatch(name -> name.contains("running"));
        for (String name : expected.keySet()) {
            float[] got = actual.get(name);
            float[] want = expected.get(name);
            assertThat(got).as("%s %s", name, when).hasSameSizeAs(want);
            // element by element: AssertJ's containsExactly with a tolerance is quadratic on arrays this long
            for (int i = 0; i < want.length; i++) {
                if (!(Math.abs(got[i] - want[i]) <= tolerance)) {
                    assertThat(got[i]).as("%s[%d] %s", name, i, when).isCloseTo(want[i], within(tolerance));
                }
            }
        }
    }

    @Test
    void aMismatchingModelOrAMissingFileIsRefusedNamingThePath() throws Exception {
        Path checkpoint = root.resolve("lite");
        TrainingConfig config = TrainingConfig.monodepth2(SEED).withAugmentation(false);
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            TrainingStep step = new TrainingStep(model, config);
            step.step(batch());
            TrainingCheckpoint.write(checkpoint, model, step, progress(step, new int[0]));

            // the same architecture with the pretext term: its head has no saved state
            TrainingStep withPretext = new TrainingStep(model, config.withLoss(
                    LossConfig.monodepth2().withPretext(PretextDistillationConfig.tripleDNet())));
            assertThatThrownBy(() -> TrainingCheckpoint.restore(checkpoint, withPretext))
                    .isInstanceOf(InvalidCheckpointException.class)
                    .hasMessageContaining(checkpoint.resolve("optimizer.json").toString())
                    .hasMessageContaining("pretext");
        }
        ModelConfig resnet = ModelConfig.monodepth2(Architecture.RESNET18).withSize(LITE.height(), LITE.width());
        try (DepthModel other = DepthModel.initialise(resnet, Device.cpu(), 3)) {
            TrainingStep step = new TrainingStep(other, config);
            assertThatThrownBy(() -> TrainingCheckpoint.restore(checkpoint, step))
                    .isInstanceOf(InvalidCheckpointException.class)
                    .hasMessageContaining(checkpoint.resolve("optimizer.json").toString())
                    .hasMessageContaining("this model");
            assertThat(step.steps()).as("a refused state changes nothing").isZero();
        }

        Files.delete(checkpoint.resolve("optimizer.ndlist"));
        try (DepthModel model = TrainingCheckpoint.restore(checkpoint, Device.cpu())) {
            TrainingStep step = new TrainingStep(model, config);
            assertThatThrownBy(() -> TrainingCheckpoint.restore(checkpoint, step))
                    .isInstanceOf(InvalidCheckpointException.class)
                    .hasMessageContaining(checkpoint.resolve("optimizer.ndlist").toString())
                    .hasMessageContaining("missing");
        }
        Files.delete(checkpoint.resolve(TrainingCheckpoint.PROGRESS_FILE));
        assertThatThrownBy(() -> TrainingCheckpoint.restore(checkpoint, Device.cpu()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining(checkpoint.resolve(TrainingCheckpoint.PROGRESS_FILE).toString());
    }

    @Test
    void newestPicksTheHighestCompleteStepAndIgnoresPartialDirectories() throws Exception {
        assertThat(TrainingCheckpoint.newest(root)).isEmpty();
        TrainingConfig config = TrainingConfig.monodepth2(SEED).withAugmentation(false);
        ModelConfig small = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 64);
        try (DepthModel model = DepthModel.initialise(small, Device.cpu(), 3)) {
            TrainingStep step = new TrainingStep(model, config);
            float[] frame = new float[3 * 64 * 64];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (float) (0.5 + 0.4 * Math.sin(0.37 * i));
            }
            List<TrainingSample> batch = List.of(new TrainingSample(frame, frame, frame,
                    io.depthstream.model.geometry.Intrinsics.kittiNormalised(64, 64)));
            // names sort against the steps: newest() must read the steps
            TrainingCheckpoint.write(root.resolve("z"), model, step, progress(step, new int[0]));
            step.step(batch);
            step.step(batch);
            TrainingCheckpoint.write(root.resolve("b"), model, step, progress(step, new int[] {1}));
            step.step(batch);
            TrainingCheckpoint.write(root.resolve("a"), model, step, progress(step, new int[] {1, 2}));
            // rewriting a checkpoint replaces it
            TrainingCheckpoint.write(root.resolve("a"), model, step, progress(step, new int[] {1, 2, 3}));
            assertThat(TrainingCheckpoint.read(root.resolve("a")).consumedLines()).containsExactly(1, 2, 3);
            assertThatThrownBy(() -> TrainingCheckpoint.write(root.resolve("c"), model, step,
                    new CheckpointProgress(99, 0, step.learningRate(), null, Double.NaN, SEED, null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");
        }
        // a copy of a complete checkpoint at a higher step, still in its temporary name, and one without progress
        Path temporary = root.resolve(".d.partial-1");
        Files.createDirectories(temporary);
        Files.writeString(temporary.resolve(TrainingCheckpoint.PROGRESS_FILE), Files.readString(
                root.resolve("a").resolve(TrainingCheckpoint.PROGRESS_FILE)).replace("\"step\" : 3", "\"step\" : 50"));
        assertThat(TrainingCheckpoint.read(temporary).step()).isEqualTo(50);
        Path incomplete = root.resolve("e");
        Files.createDirectories(incomplete);
        Files.writeString(incomplete.resolve("config.json"), "{}");

        assertThat(TrainingCheckpoint.newest(root)).contains(root.resolve("a"));
        assertThat(TrainingCheckpoint.read(root.resolve("b")).step()).isEqualTo(2);
        assertThat(TrainingCheckpoint.read(root.resolve("z")).bestValidationLoss()).isEqualTo(0.125);
        try (var children = Files.list(root)) {
            assertThat(children.map(p -> p.getFileName().toString()))
                    .as("no leftovers of writing or replacing").containsExactlyInAnyOrder("a", "b", "z", "e", ".d.partial-1");
        }
    }
}
