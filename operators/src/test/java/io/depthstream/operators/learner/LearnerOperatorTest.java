package io.depthstream.operators.learner;

import ai.djl.Device;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.online.OnlineLearnerConfig;
import io.depthstream.model.online.OnlineMetrics;
import io.depthstream.model.train.LossConfig;
import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.inference.ModelSource;
import io.depthstream.operators.inference.SyntheticTriplets;
import io.depthstream.operators.triplet.Triplet;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The learner operator in Flink's harness: publication through the guard, NaN input, restore from a checkpoint. */
class LearnerOperatorTest {

    private static final ModelConfig CONFIG =
            new ModelConfig(Architecture.LITE, SyntheticTriplets.HEIGHT, SyntheticTriplets.WIDTH, 0.1, 100, List.of(0));
    /** Batches of 2, every 4th triplet held out (8 kept), a candidate every 2 steps, 50% tolerance, no drops. */
    private static final OnlineLearnerConfig LEARNER = new OnlineLearnerConfig(LossConfig.monodepth2(), 1e-4, 2, 1000,
            8, 4, 2, 0.5, false, 3);

    private static List<Triplet> drive;

    @TempDir
    Path store;

    @BeforeAll
    static void render() {
        drive = SyntheticTriplets.triplets(SyntheticTriplets.frames("cam", 31, 24));
    }

    private LearnerSettings settings() {
        return new LearnerSettings(store.toString(), ModelSource.random(CONFIG, 5), DeviceChoice.CPU, LEARNER);
    }

    private static OneInputStreamOperatorTestHarness<Triplet, ModelUpdate> harness(LearnerOperator operator)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(operator);
    }

    private static List<String> versions(OneInputStreamOperatorTestHarness<Triplet, ModelUpdate> harness) {
        List<String> out = new ArrayList<>();
        for (ModelUpdate update : harness.extractOutputValues()) {
            out.add(update.version());
        }
        return out;
    }

    /** A triplet whose intrinsics are NaN: a corrupt calibration, which makes the photometric loss NaN. */
    private static Triplet corrupt(Triplet triplet) {
        Intrinsics nan = new Intrinsics(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        Frame cur = triplet.cur();
        return new Triplet(triplet.prev(), new Frame(cur.cameraId(), cur.seq(), cur.captureTimeMs(),
                cur.receivedAtMs(), nan, cur.image(), null, 0, 0), triplet.next());
    }

    @Test
    void publishesTheCandidatesTheGuardAcceptsAndAnnouncesEachVersionOnce() throws Exception {
        LearnerOperator operator = new LearnerOperator(settings());
        try (var harness = harness(operator)) {
            harness.open();
            for (Triplet triplet : drive) {
                harness.processElement(triplet, triplet.cur().captureTimeMs());
            }
            harness.endInput();

            // 22 full triplets: every 4th held out (5), 17 trained in 8 steps of 2, judged after steps 2, 4, 6, 8
            OnlineMetrics metrics = operator.metrics();
            assertThat(metrics.offered()).isEqualTo(22);
            assertThat(metrics.heldOut()).isEqualTo(5);
            assertThat(metrics.steps()).isEqualTo(8);
            assertThat(metrics.dropped()).isZero();
            assertThat(metrics.published() + metrics.rejected()).isEqualTo(4);
            assertThat(metrics.published()).as("published of 4 candidates at 50%% tolerance").isPositive();

            ModelStore modelStore = new ModelStore(store.toString());
            List<String> stored = modelStore.versions().stream().map(PublishedVersion::name).toList();
            assertThat(versions(harness)).as("v0 (the start model) announced at open, then each publication")
                    .containsExactlyElementsOf(stored)
                    .hasSize(1 + (int) metrics.published());
            for (PublishedVersion version : modelStore.versions().subList(1, stored.size())) {
                double candidate = version.metrics().heldOutLoss();
                double serving = version.metrics().extra().get("serving_held_out_loss");
                assertThat(candidate).as("%s held-out loss", version.name()).isFinite()
                        .isLessThanOrEqualTo(serving * 1.5);
            }
        }
    }

    @Test
    void nonFiniteStepsAreSkippedAndNothingNonFiniteIsPublished() throws Exception {
        LearnerOperator operator = new LearnerOperator(settings());
        try (var harness = harness(operator)) {
            harness.open();
            for (int i = 0; i < drive.size(); i++) {
                // the first two full triplets (one training batch, neither held out) carry NaN intrinsics
                Triplet triplet = i == 1 || i == 2 ? corrupt(drive.get(i)) : drive.get(i);
                harness.processElement(triplet, triplet.cur().captureTimeMs());
            }
            harness.endInput();

            OnlineMetrics metrics = operator.metrics();
            assertThat(metrics.skipped()).as("steps skipped for a NaN loss").isEqualTo(1);
            assertThat(metrics.steps()).isEqualTo(7);
            assertThat(metrics.published()).isPositive();
            ModelStore modelStore = new ModelStore(store.toString());
            PublishedVersion last = modelStore.latest().orElseThrow();
            assertThat(last.metrics().heldOutLoss()).isFinite();
            try (DepthModel model = modelStore.load(last.number(), Device.cpu())) {
                DepthPredictor predictor = new DepthPredictor(model);
                float[] disparity = predictor.disparity(List.of(predictor.input(drive.get(5).cur().image())))[0];
                for (float d : disparity) {
                    assertThat(d).isFinite();
                }
            }
        }
    }

    @Test
    void aRestoredLearnerContinuesItsStepsAndPublishesNoNumberTwice() throws Exception {
        OperatorSubtaskState snapshot;
        long stepAtCheckpoint;
        int servingAtCheckpoint;
        LearnerOperator first = new LearnerOperator(settings());
        try (var harness = harness(first)) {
            harness.open();
            for (Triplet triplet : drive.subList(0, 16)) {
                harness.processElement(triplet, triplet.cur().captureTimeMs());
            }
            // until every buffered triplet is trained on (fewer than a batch left), so no step is in flight
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                OnlineMetrics m = first.metrics();
                if (m.offered() - m.heldOut() - m.trained() - m.dropped() < LEARNER.batchSize()) {
                    break;
                }
                Thread.sleep(20);
            }
            Thread.sleep(500);
            snapshot = harness.snapshot(1, 1);
            LearnerCheckpoint recorded = first.savedState();
            assertThat(recorded.step()).as("the checkpoint saved the state after the last step")
                    .isEqualTo(first.trainingSteps());
            stepAtCheckpoint = recorded.step();
            servingAtCheckpoint = recorded.servingVersion();
            assertThat(recorded.stateUri()).isNotNull();
        }
        assertThat(stepAtCheckpoint).isGreaterThanOrEqualTo(4);
        ModelStore modelStore = new ModelStore(store.toString());
        int before = modelStore.versions().size();

        LearnerOperator second = new LearnerOperator(settings());
        try (var harness = harness(second)) {
            harness.initializeState(snapshot);
            harness.open();
            assertThat(second.trainingSteps()).as("steps after restore").isEqualTo(stepAtCheckpoint);
            for (Triplet triplet : drive.subList(16, drive.size())) {
                harness.processElement(triplet, triplet.cur().captureTimeMs());
            }
            harness.endInput();

            List<String> announced = versions(harness);
            assertThat(announced.get(0)).as("the serving version is announced again").isEqualTo("v" + servingAtCheckpoint);
            assertThat(second.trainingSteps()).isGreaterThan(stepAtCheckpoint);
            List<Integer> numbers = modelStore.versions().stream().map(PublishedVersion::number).toList();
            assertThat(numbers).doesNotHaveDuplicates().isSorted();
            for (String name : announced.subList(1, announced.size())) {
                assertThat(PublishedVersion.parseNumber(name)).as(name).isGreaterThanOrEqualTo(before);
            }
        }
    }
}
