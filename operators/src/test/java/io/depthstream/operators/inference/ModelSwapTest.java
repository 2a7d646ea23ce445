package io.depthstream.operators.inference;

import ai.djl.Device;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.ModelUpdate;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.operators.learner.VersionMetrics;
import io.depthstream.operators.triplet.Triplet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Inference swaps model versions from the update input between batches, refuses bad ones, restores its own. */
class ModelSwapTest {

    private static final ModelConfig CONFIG =
            new ModelConfig(Architecture.LITE, SyntheticTriplets.HEIGHT, SyntheticTriplets.WIDTH, 0.1, 100, List.of(0));
    private static final ModelSource START = ModelSource.random(CONFIG, 7);

    private static List<Triplet> drive;

    @TempDir
    Path store;

    @BeforeAll
    static void render() {
        drive = SyntheticTriplets.triplets(SyntheticTriplets.frames("cam", 21, 6));
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, Triplet, ModelUpdate, DepthResult> harness(
            int batchSize) throws Exception {
        InferenceSettings settings = InferenceSettings.defaults(START).withDevice(DeviceChoice.CPU)
                .withBatching(batchSize, 60_000);
        // the update input is broadcast, not keyed: its key selector only gives the harness a key to set
        return new KeyedTwoInputStreamOperatorTestHarness<>(new InferenceOperator(settings),
                new InferenceOperator.CameraKey(), update -> "updates", Types.STRING);
    }

    private PublishedVersion publish(ModelStore modelStore, int seed) {
        try (DepthModel model = DepthModel.initialise(CONFIG, Device.cpu(), seed)) {
            return modelStore.publish(model, VersionMetrics.of(seed, 0.1, 0.1, Instant.now()));
        }
    }

    private static void send(KeyedTwoInputStreamOperatorTestHarness<String, Triplet, ModelUpdate, DepthResult> h,
                             Triplet triplet) throws Exception {
        h.processElement1(triplet, triplet.cur().captureTimeMs());
    }

    /** What the version's weights alone compute for the triplets as one batch (kernels depend on batch size). */
    private static List<float[]> expectedDepth(String uri, List<Triplet> triplets) {
        List<float[]> out = new ArrayList<>();
        try (TripletInference inference = new TripletInference(ModelStore.load(uri, Device.cpu()))) {
            for (TripletInference.Output output : inference.run(triplets)) {
                out.add(output.depth());
            }
        }
        return out;
    }

    @Test
    void swapsBetweenBatchesAndEveryResultNamesTheWeightsThatComputedIt() throws Exception {
        ModelStore modelStore = new ModelStore(store.toString());
        publish(modelStore, 7);
        PublishedVersion v1 = publish(modelStore, 8);
        try (var h = harness(4)) {
            h.open();
            send(h, drive.get(0));
            send(h, drive.get(1));
            // two triplets are pending when the update arrives: they still run on the start model
            h.processElement2(ModelUpdate.of(v1), 0);
            send(h, drive.get(2));
            send(h, drive.get(3));
            h.endInput1();

            List<DepthResult> results = new ArrayList<>(h.extractOutputValues());
            assertThat(results).extracting(DepthResult::seq).containsExactly(
                    drive.get(0).cur().seq(), drive.get(1).cur().seq(), drive.get(2).cur().seq(),
                    drive.get(3).cur().seq());
            assertThat(results).extracting(DepthResult::modelVersion)
                    .containsExactly(START.version(), START.version(), "v1", "v1");
            assertThat(results.get(0).timings().batchSize()).isEqualTo(2);
            List<float[]> v1Depth = expectedDepth(v1.uri(), drive.subList(2, 4));
            assertThat(results.get(2).depth()).isEqualTo(v1Depth.get(0));
            assertThat(results.get(3).depth()).isEqualTo(v1Depth.get(1));
        }
    }

    @Test
    void refusesAnUpdateItCannotLoadAndKeepsServing() throws Exception {
        ModelStore modelStore = new ModelStore(store.toString());
        publish(modelStore, 7);
        PublishedVersion v1 = publish(modelStore, 8);
        ModelUpdate missing = new ModelUpdate("v2", store.resolve("v2").toString(), 20, Instant.now(), Map.of());
        try (var h = harness(1)) {
            h.open();
            h.processElement2(ModelUpdate.of(v1), 0);
            send(h, drive.get(0));
            h.processElement2(missing, 0);
            send(h, drive.get(1));
            // an older version than the served one is not a swap
            h.processElement2(ModelUpdate.of(modelStore.version(0).orElseThrow()), 0);
            send(h, drive.get(2));
            h.endInput1();

            assertThat(h.extractOutputValues()).extracting(DepthResult::modelVersion)
                    .containsExactly("v1", "v1", "v1");
        }
    }

    @Test
    void aRestoredSubtaskServesTheVersionItServedAtTheCheckpoint() throws Exception {
        ModelStore modelStore = new ModelStore(store.toString());
        publish(modelStore, 7);
        PublishedVersion v1 = publish(modelStore, 8);
        OperatorSubtaskState snapshot;
        try (var h = harness(1)) {
            h.open();
            h.processElement2(ModelUpdate.of(v1), 0);
            send(h, drive.get(0));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(1)) {
            h.initializeState(snapshot);
            h.open();
            send(h, drive.get(1));
            h.endInput1();
            List<DepthResult> results = new ArrayList<>(h.extractOutputValues());
            assertThat(results).extracting(DepthResult::modelVersion).containsExactly("v1");
            assertThat(results.get(0).depth()).isEqualTo(expectedDepth(v1.uri(), drive.subList(1, 2)).get(0));
        }
    }
}
