package io.depthstream.operators.inference;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.InterceptedMetrics;
import io.depthstream.operators.triplet.Triplet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link FramePolicy#LATEST_FRAME}: stale triplets are parked per camera, superseded ones dropped and counted. */
class LatestFrameTest {

    private static final ModelSource MODEL = ModelSource.random(
            new ModelConfig(Architecture.LITE, SyntheticTriplets.HEIGHT, SyntheticTriplets.WIDTH, 0.1, 100, List.of(0)),
            7);
    private static final double[] IDENTITY = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    /** Capture time of every camera's frame 0 in {@link SyntheticTriplets} (frames are 100 ms apart). */
    private static final long FIRST_CAPTURE_MS = 1_000_000;
    private static final long MAX_AGE_MS = 150;
    private static final long DELAY_MS = 100;

    private static List<Triplet> cameraA;
    private static List<Triplet> cameraB;

    private final InterceptedMetrics metrics = new InterceptedMetrics();
    private MockEnvironment environment;

    @BeforeAll
    static void render() {
        cameraA = SyntheticTriplets.triplets(SyntheticTriplets.frames("cam-a", 11, 5));
        cameraB = SyntheticTriplets.triplets(SyntheticTriplets.frames("cam-b", 12, 4));
    }

    @AfterEach
    void closeEnvironment() throws Exception {
        if (environment != null) {
            environment.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Triplet, DepthResult> harness(FramePolicy policy)
            throws Exception {
        InferenceSettings settings = InferenceSettings.defaults(MODEL).withDevice(DeviceChoice.CPU)
                .withBatching(4, DELAY_MS).withFramePolicy(policy, MAX_AGE_MS);
        environment = metrics.environment();
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(new InferenceOperator(settings),
                new InferenceOperator.CameraKey(), Types.STRING, environment);
        harness.open();
        return harness;
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, Triplet, DepthResult> harness,
            Triplet triplet) throws Exception {
        harness.processElement(triplet, triplet.cur().captureTimeMs());
    }

    private static List<String> ids(List<DepthResult> results) {
        return results.stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
    }

    @Test
    void aStaleBacklogOfTwoCamerasGivesOnlyEachCamerasNewestFrame() throws Exception {
        List<Triplet> backlog = SyntheticTriplets.interleaved(List.of(cameraA, cameraB));
        try (var harness = harness(FramePolicy.LATEST_FRAME)) {
            // seconds after capture: every triplet of the backlog is stale when it arrives
            harness.setProcessingTime(FIRST_CAPTURE_MS + 10_000);
            for (Triplet triplet : backlog) {
                send(harness, triplet);
            }
            // a late frame of camera A (emitted without neighbours) is older than A's parked triplet: dropped too
            send(harness, new Triplet(null, cameraA.get(2).cur(), null));
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(metrics.count(InferenceOperator.STALE_DROPPED_METRIC)).isEqualTo(backlog.size() + 1 - 2);

            harness.setProcessingTime(FIRST_CAPTURE_MS + 10_000 + DELAY_MS - 1);
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.setProcessingTime(FIRST_CAPTURE_MS + 10_000 + DELAY_MS);
            List<DepthResult> results = harness.extractOutputValues();
            assertThat(ids(results)).containsExactlyInAnyOrder("cam-a#4", "cam-b#3");
            assertThat(harness.extractOutputStreamRecords()).extracting(r -> r.getTimestamp())
                    .containsExactlyInAnyOrder(cameraA.get(4).cur().captureTimeMs(),
                            cameraB.get(3).cur().captureTimeMs());
            for (DepthResult result : results) {
                // the triplet still has its previous frame, but the trajectory cannot bridge the dropped results
                assertThat(result.posePrevToCur()).hasSize(6);
                assertThat(result.worldFromCamera()).containsExactly(IDENTITY);
                assertThat(result.timings().queueNanos()).isPositive();
            }

            harness.endInput();
            assertThat(harness.extractOutputValues()).hasSize(2);
            assertThat(metrics.count(InferenceOperator.STALE_DROPPED_METRIC)).isEqualTo(backlog.size() + 1 - 2);
        }
    }

    @Test
    void freshTripletsAreAllInferredAsInEveryFrameMode() throws Exception {
        List<Triplet> input = SyntheticTriplets.interleaved(List.of(cameraA, cameraB));
        List<DepthResult> latest;
        try (var harness = harness(FramePolicy.LATEST_FRAME)) {
            for (Triplet triplet : input) {
                harness.setProcessingTime(triplet.cur().captureTimeMs() + MAX_AGE_MS);
                send(harness, triplet);
            }
            harness.endInput();
            latest = new ArrayList<>(harness.extractOutputValues());
        }
        assertThat(metrics.count(InferenceOperator.STALE_DROPPED_METRIC)).isZero();
        assertThat(ids(latest)).containsExactlyElementsOf(
                input.stream().map(t -> t.cameraId() + "#" + t.cur().seq()).toList());

        List<DepthResult> every;
        try (var harness = harness(FramePolicy.EVERY_FRAME)) {
            // the same clock as above: in every-frame mode the age does not matter
            for (Triplet triplet : input) {
                harness.setProcessingTime(triplet.cur().captureTimeMs() + MAX_AGE_MS);
                send(harness, triplet);
            }
            harness.endInput();
            every = new ArrayList<>(harness.extractOutputValues());
        }
        assertThat(latest).hasSameSizeAs(every);
        for (int i = 0; i < every.size(); i++) {
            assertThat(latest.get(i).depth()).containsExactly(every.get(i).depth());
            assertThat(latest.get(i).worldFromCamera()).containsExactly(every.get(i).worldFromCamera());
        }
    }

    @Test
    void aNewerTripletSupersedesItsCamerasParkedOneAndTheTrajectoryRestartsThere() throws Exception {
        try (var harness = harness(FramePolicy.LATEST_FRAME)) {
            // frames 0 and 1 are older than 150 ms, frame 2 is 60 ms old
            harness.setProcessingTime(FIRST_CAPTURE_MS + 260);
            send(harness, cameraA.get(0));
            send(harness, cameraA.get(1));
            send(harness, cameraA.get(2));
            assertThat(metrics.count(InferenceOperator.STALE_DROPPED_METRIC)).isEqualTo(2);
            harness.setProcessingTime(FIRST_CAPTURE_MS + 360);
            harness.setProcessingTime(FIRST_CAPTURE_MS + 400);
            send(harness, cameraA.get(3));
            harness.endInput();

            List<DepthResult> results = harness.extractOutputValues();
            assertThat(ids(results)).containsExactly("cam-a#2", "cam-a#3");
            assertThat(results.get(0).worldFromCamera()).containsExactly(IDENTITY);
            // 3 follows 2: the pose accumulates again
            double[] expected = CameraTrack.follow(new CameraTrack(2, IDENTITY, Double.NaN), 3,
                    results.get(1).posePrevToCur(), Double.NaN).worldFromCamera();
            assertThat(results.get(1).worldFromCamera()).containsExactly(expected).isNotEqualTo(IDENTITY);
            assertThat(metrics.count(InferenceOperator.STALE_DROPPED_METRIC)).isEqualTo(2);
        }
    }

    @Test
    void parkedTripletsRunBeforeACheckpointBarrierAndAtTheEndOfInputAndHoldTheWatermark() throws Exception {
        try (var harness = harness(FramePolicy.LATEST_FRAME)) {
            harness.setProcessingTime(FIRST_CAPTURE_MS + 10_000);
            send(harness, cameraA.get(0));
            send(harness, cameraA.get(1));
            send(harness, cameraA.get(2));
            assertThat(harness.extractOutputValues()).isEmpty();
            // no triplet lives only in memory across a checkpoint
            harness.prepareSnapshotPreBarrier(1);
            assertThat(ids(harness.extractOutputValues())).containsExactly("cam-a#2");
            harness.snapshot(1, 0);

            send(harness, cameraB.get(0));
            send(harness, cameraB.get(1));
            harness.processWatermark(new Watermark(FIRST_CAPTURE_MS + 100));
            assertThat(harness.getOutput()).hasSize(1);
            harness.endInput();
            List<Object> output = new ArrayList<>(harness.getOutput());
            assertThat(output).hasSize(3);
            assertThat(ids(harness.extractOutputValues())).containsExactly("cam-a#2", "cam-b#1");
            assertThat(output.get(2)).isEqualTo(new Watermark(FIRST_CAPTURE_MS + 100));
            assertThat(metrics.count(InferenceOperator.STALE_DROPPED_METRIC)).isEqualTo(3);

            // the parked triplets' timer was cancelled with them: nothing runs twice
            harness.setProcessingTime(FIRST_CAPTURE_MS + 20_000);
            assertThat(harness.extractOutputValues()).hasSize(2);
        }
    }
}
