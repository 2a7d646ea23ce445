package io.depthstream.operators.training;

import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source (and the preparation after it) on a Flink MiniCluster in STREAMING mode over a synthetic KITTI drive of
 * 12 frames whose split file lists every frame (so lines 1 and 12, frames 0 and 11, lack a neighbour).
 */
class KittiTripletSourceTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3).build());

    private static final long SEED = 42;
    private static final List<Integer> INTERIOR = List.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

    @TempDir
    static Path data;
    private static Path split;

    @BeforeAll
    static void writeDrive() throws Exception {
        split = TrainingDrives.writeArchives(data.resolve("archives"));
    }

    private static StreamExecutionEnvironment environment(int parallelism) {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false); // records, exchange and collection all without Kryo
        config.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        return env;
    }

    private static List<EncodedTriplet> read(TripletSourceConfig config, int parallelism) throws Exception {
        StreamExecutionEnvironment env = environment(parallelism);
        DataStream<EncodedTriplet> triplets = env.fromSource(new KittiTripletSource(config),
                WatermarkStrategy.noWatermarks(), "triplets");
        List<EncodedTriplet> out = new ArrayList<>();
        try (CloseableIterator<EncodedTriplet> it = triplets.executeAndCollect("source test")) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static TripletSourceConfig config(int epochs) {
        return new TripletSourceConfig(data.resolve("archives").toString(), split.toString(), epochs, SEED, 3, 0,
                new int[0]);
    }

    private static Map<Integer, List<Integer>> linesByEpoch(List<EncodedTriplet> triplets) {
        return triplets.stream().collect(Collectors.groupingBy(EncodedTriplet::epoch, TreeMap::new,
                Collectors.mapping(EncodedTriplet::line, Collectors.toList())));
    }

    @Test
    void oneReaderReadsEachEpochWholeInItsShuffledOrderWithTheFramesOfTheArchive() throws Exception {
        List<EncodedTriplet> triplets = read(config(2), 1);

        assertThat(triplets).hasSize(24);
        // one reader: the epochs arrive one after the other, each in the order its seed gives
        assertThat(triplets.subList(0, 12)).allMatch(t -> t.epoch() == 0);
        assertThat(triplets.subList(12, 24)).allMatch(t -> t.epoch() == 1);
        List<Integer> epoch0 = TrainingSeeds.epochOrder(TrainingDrives.lines(), SEED, 0);
        List<Integer> epoch1 = TrainingSeeds.epochOrder(TrainingDrives.lines(), SEED, 1);
        assertThat(linesByEpoch(triplets)).containsExactly(Map.entry(0, epoch0), Map.entry(1, epoch1));
        assertThat(epoch0).isNotEqualTo(epoch1).isNotEqualTo(TrainingDrives.lines());

        try (KittiRawArchive archive = KittiRawArchive.open(data.resolve("archives"))) {
            KittiDrive drive = KittiDrive.parse(TrainingDrives.DRIVE);
            Intrinsics calibrated = archive.calibration(drive.date()).intrinsics(KittiCamera.IMAGE_02);
            for (EncodedTriplet triplet : triplets) {
                int frame = triplet.line() - 1;
                assertThat(triplet.description()).isEqualTo(
                        drive.name() + " " + frame + " l (split line " + triplet.line() + ")");
                if (triplet.line() == 1) {
                    assertThat(triplet.skipReason()).isEqualTo("frame 0 has no previous frame");
                } else if (triplet.line() == 12) {
                    assertThat(triplet.skipReason()).contains("frame 12 image_02", "is missing", "0000000012.png");
                } else {
                    assertThat(triplet.isSkipped()).isFalse();
                    assertThat(triplet.previous()).isEqualTo(archive.imageBytes(drive, frame - 1, KittiCamera.IMAGE_02));
                    assertThat(triplet.current()).isEqualTo(archive.imageBytes(drive, frame, KittiCamera.IMAGE_02));
                    assertThat(triplet.next()).isEqualTo(archive.imageBytes(drive, frame + 1, KittiCamera.IMAGE_02));
                    assertThat(triplet.intrinsics()).isEqualTo(calibrated);
                    assertThat(triplet.semantic()).isNull();
                }
                if (triplet.isSkipped()) {
                    assertThat(triplet.current()).isNull();
                    assertThat(triplet.intrinsics()).isNull();
                }
            }
        }
        // the synthetic rig's calibration, scaled to 96×32: fx of P_rect_02 is 721.5377 at 1242 pixels
        assertThat(triplets.stream().filter(t -> !t.isSkipped()).findFirst().orElseThrow().intrinsics().fx())
                .isBetween(721.5377 * 96 / 1242 - 1e-6, 721.5377 * 96 / 1242 + 1e-6);
    }

    @Test
    void threeReadersReadEveryLineExactlyOncePerEpoch() throws Exception {
        List<EncodedTriplet> triplets = read(config(2), 3);

        Map<Integer, List<Integer>> byEpoch = linesByEpoch(triplets);
        assertThat(byEpoch).containsOnlyKeys(0, 1);
        for (List<Integer> lines : byEpoch.values()) {
            assertThat(lines).containsExactlyInAnyOrderElementsOf(TrainingDrives.lines());
        }
        for (int epoch = 0; epoch < 2; epoch++) {
            int e = epoch;
            assertThat(triplets.stream().filter(t -> t.epoch() == e && !t.isSkipped()).map(EncodedTriplet::line))
                    .containsExactlyInAnyOrderElementsOf(INTERIOR);
        }
        // each reader reads its splits front to back: within an epoch the lines of one split keep their order, so
        // the epoch's order is a merge of the seed's splits of three lines
        List<Integer> order = TrainingSeeds.epochOrder(TrainingDrives.lines(), SEED, 0);
        List<Integer> seen = byEpoch.get(0);
        for (int from = 0; from < 12; from += 3) {
            List<Integer> chunk = order.subList(from, from + 3);
            assertThat(chunk.stream().map(seen::indexOf).toList()).isSorted();
        }
    }

    @Test
    void aResumedRunLeavesOutTheLinesAlreadyTrainedOnOnlyInItsFirstEpoch() throws Exception {
        List<Integer> epoch1 = TrainingSeeds.epochOrder(TrainingDrives.lines(), SEED, 1);
        int[] consumed = epoch1.subList(0, 5).stream().mapToInt(Integer::intValue).toArray();
        TripletSourceConfig resumed = config(3).resumedAt(1, consumed);

        List<EncodedTriplet> single = read(resumed, 1);
        assertThat(linesByEpoch(single)).containsExactly(
                Map.entry(1, epoch1.subList(5, 12)),
                Map.entry(2, TrainingSeeds.epochOrder(TrainingDrives.lines(), SEED, 2)));

        Map<Integer, List<Integer>> parallel = linesByEpoch(read(resumed, 3));
        assertThat(parallel).containsOnlyKeys(1, 2);
        assertThat(parallel.get(1)).containsExactlyInAnyOrderElementsOf(epoch1.subList(5, 12));
        assertThat(parallel.get(2)).containsExactlyInAnyOrderElementsOf(TrainingDrives.lines());
    }

    @Test
    void missingAndCorruptFramesOfAFolderDriveComeOutSkippedWithTheirReasons() throws Exception {
        Path folders = data.resolve("folders");
        TrainingDrives.extract(data.resolve("archives"), folders);
        Files.write(TrainingDrives.framePath(folders, 4), "not a png".getBytes(StandardCharsets.US_ASCII));
        Files.delete(TrainingDrives.framePath(folders, 8));
        int[] classes = new int[TrainingDrives.WIDTH * TrainingDrives.HEIGHT];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = (i % TrainingDrives.WIDTH) < TrainingDrives.WIDTH / 2 ? 7 : 200;
        }
        Path semantic = TrainingDrives.framePath(folders, 2).getParent().resolveSibling("semantic");
        Files.createDirectories(semantic);
        Files.write(semantic.resolve("0000000002.png"),
                new SemanticMap(TrainingDrives.WIDTH, TrainingDrives.HEIGHT, classes).encodePng());
        TripletSourceConfig config = new TripletSourceConfig(folders.toString(), split.toString(), 1, SEED, 2, 0,
                null);

        StreamExecutionEnvironment env = environment(2);
        DataStream<PreparedTriplet> prepared = env.fromSource(new KittiTripletSource(config),
                        WatermarkStrategy.noWatermarks(), "triplets")
                .process(new TripletPreparation(48, 16, SEED));
        Map<Integer, PreparedTriplet> byLine = new TreeMap<>();
        try (CloseableIterator<PreparedTriplet> it = prepared.executeAndCollect("skip test")) {
            it.forEachRemaining(t -> assertThat(byLine.put(t.line(), t)).as("line %d twice", t.line()).isNull());
        }

        assertThat(byLine).containsOnlyKeys(TrainingDrives.lines());
        Map<Integer, String> reasons = byLine.values().stream().filter(PreparedTriplet::isSkipped)
                .collect(Collectors.toMap(PreparedTriplet::line, PreparedTriplet::skipReason, (a, b) -> a, TreeMap::new));
        assertThat(reasons).containsOnlyKeys(1, 4, 5, 6, 8, 9, 10, 12);
        assertThat(reasons.get(1)).isEqualTo("frame 0 has no previous frame");
        // frame 4 is garbage: the triplets centred on 3, 4 and 5 name which of their frames it is
        assertThat(reasons.get(4)).startsWith("next frame: not a PNG or JPEG image");
        assertThat(reasons.get(5)).startsWith("centre frame: not a PNG or JPEG image");
        assertThat(reasons.get(6)).startsWith("previous frame: not a PNG or JPEG image");
        // frame 8 is gone: the triplets centred on 7, 8 and 9 cannot be read
        for (int line : List.of(8, 9, 10)) {
            assertThat(reasons.get(line)).contains("frame 8 image_02", "is missing", "0000000008.png");
        }
        assertThat(reasons.get(12)).contains("frame 12 image_02", "is missing");

        Map<Integer, PreparedTriplet> usable = byLine.values().stream().filter(t -> !t.isSkipped())
                .collect(Collectors.toMap(PreparedTriplet::line, Function.identity()));
        assertThat(usable).containsOnlyKeys(2, 3, 7, 11);
        for (PreparedTriplet triplet : usable.values()) {
            assertThat(List.of(triplet.previous(), triplet.current(), triplet.next()))
                    .allSatisfy(image -> assertThat(image.width() * 1000 + image.height()).isEqualTo(48_016));
            assertThat(triplet.augmentation()).isNotNull();
        }
        SemanticMap resized = usable.get(3).semantic();
        assertThat(resized.width()).isEqualTo(48);
        assertThat(resized.height()).isEqualTo(16);
        assertThat(resized.get(0, 0)).isEqualTo(7);
        assertThat(resized.get(47, 15)).isEqualTo(200);
        assertThat(usable.get(2).semantic()).isNull();
    }

    private static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final AtomicBoolean ARMED = new AtomicBoolean();
    private static final AtomicInteger PASSED = new AtomicInteger();
    private static final AtomicInteger PASSED_AFTER_FAILURE = new AtomicInteger();
    private static final Map<Long, Integer> PASSED_AT_CHECKPOINT = new ConcurrentHashMap<>();

    /**
     * Passes triplets on slowly and fails once, at the first triplet after a checkpoint covering at least five
     * triplets has completed: the restart must then go on from that checkpoint.
     */
    private static final class FailingOnce implements MapFunction<EncodedTriplet, EncodedTriplet>,
            CheckpointedFunction, CheckpointListener {
        @Override
        public EncodedTriplet map(EncodedTriplet triplet) throws Exception {
            if (FAILED.get()) {
                PASSED_AFTER_FAILURE.incrementAndGet();
            } else if (ARMED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("failure injected by the test");
            }
            PASSED.incrementAndGet();
            if (!FAILED.get()) {
                Thread.sleep(80); // leaves checkpoints time to complete before the input runs out
            }
            return triplet;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            PASSED_AT_CHECKPOINT.put(context.getCheckpointId(), PASSED.get());
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (PASSED_AT_CHECKPOINT.getOrDefault(checkpointId, 0) >= 5) {
                ARMED.set(true);
            }
        }
    }

    @Test
    void afterAFailureTheJobGoesOnFromItsCheckpointWithoutLosingOrRepeatingALine() throws Exception {
        FAILED.set(false);
        ARMED.set(false);
        PASSED.set(0);
        PASSED_AFTER_FAILURE.set(0);
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        config.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(50));
        // the source reads faster than the map passes on: barriers overtake the triplets buffered in between
        config.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        DataStream<EncodedTriplet> triplets = env.fromSource(new KittiTripletSource(config(2)),
                WatermarkStrategy.noWatermarks(), "triplets")
                .map(new FailingOnce()).setParallelism(1); // one map subtask: what it counted at a snapshot is in it

        List<EncodedTriplet> out = new ArrayList<>();
        try (CloseableIterator<EncodedTriplet> it = triplets.executeAndCollect("failover test")) {
            it.forEachRemaining(out::add);
        }

        assertThat(FAILED).isTrue();
        assertThat(PASSED_AFTER_FAILURE.get()).as("re-read after the restore").isBetween(1, 24 - 5);
        Map<Integer, List<Integer>> byEpoch = linesByEpoch(out);
        assertThat(byEpoch).containsOnlyKeys(0, 1);
        assertThat(byEpoch.get(0)).containsExactlyInAnyOrderElementsOf(TrainingDrives.lines());
        assertThat(byEpoch.get(1)).containsExactlyInAnyOrderElementsOf(TrainingDrives.lines());
    }
}
