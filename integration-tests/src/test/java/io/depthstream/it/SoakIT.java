package io.depthstream.it;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Soak: 5,000 frames of two cameras through the streaming job at a steady rate: a real Kafka broker, a Flink
 * MiniCluster at the default parallelism of 1 checkpointing every 500 ms, a random lite model at 64x64 (the smallest
 * input it takes). Every 500 results it samples the engine's live native tensors, the Java heap after a full
 * collection and the JVM's threads; at the end none of them may have grown beyond a small allowance over the
 * early-run sample, and the median latency of the last 500 frames may not have crept above twice that of the first
 * 500. Once the job is gone, the live tensors must be back to where they were before it started.
 */
class SoakIT {

    private static final int FRAMES = 5_000;
    private static final int SAMPLE_EVERY = 500;
    /** Frames per second, both cameras together (16 per camera): 5,000 frames take 2.6 min. */
    private static final double RATE = 32;
    /**
     * Frames the feed may be ahead of the written results: one second at the rate, several times what is in flight
     * when the job keeps up (a frame waits for its successor, 62 ms a camera, and for its batch, at most 50 ms).
     */
    private static final int MAX_AHEAD = 32;
    private static final int WIDTH = 64;
    private static final int HEIGHT = 64;

    /** Arrays above the early floor that still pass: none should persist; a leak adds some every batch. */
    private static final int ARRAY_ALLOWANCE = 8;
    /** Threads above the early count that still pass: a checkpoint's or a Kafka client's short-lived helpers. */
    private static final int THREAD_ALLOWANCE = 8;
    /**
     * Heap growth that still passes. After a full collection the heap holds live data only: what the job keeps is
     * bounded (a few frames of triplet state per camera, one retained checkpoint, Kafka client buffers), the feed
     * keeps at most {@link #MAX_AHEAD} frames in flight and the test keeps 5,000 small result headers (under 1 MB).
     * Samples of passing runs stayed within 10 MB of each other, while leaking one object per frame the size of a
     * 64x64 RGB frame (12 KB) or depth map (16 KB) adds 60 to 80 MB over 5,000 frames.
     */
    private static final long HEAP_ALLOWANCE_BYTES = 32L << 20;
    /** Latency creep allowance: twice the first 500's median plus this, for a loaded two-core machine. */
    private static final long LATENCY_SLACK_MS = 20;

    private static EmbeddedKafka kafka;

    /** One reading of the resources at {@code results} results. */
    private record Sample(int results, int liveArrays, long heapAfterGc, int threads, long elapsedMs, double load) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%5d results @%6.1f s: %4d live NDArrays, heap after GC %6.1f MB, "
                    + "%3d threads (machine load %.1f)", results, elapsedMs / 1000.0, liveArrays,
                    heapAfterGc / 1048576.0, threads, load);
        }
    }

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void fiveThousandFramesLeaveNoTensorsHeapOrThreadsBehindAndLatencyDoesNotCreep(@TempDir Path dir)
            throws Exception {
        long started = System.nanoTime();
        StreamingConfig config = config(dir);
        int beforeJob = LiveArrays.floor(Duration.ofMillis(100), 5);
        assertTheCountSeesArraysOfAnyManager(beforeJob);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                StreamingJob.localConfiguration());
        StreamingJob.define(env, config);
        JobClient job = env.executeAsync(StreamingJob.NAME);
        List<Sample> samples = new ArrayList<>();
        List<DepthHeaders.Result> results;
        SteadyFeed feed = new SteadyFeed(kafka.bootstrapServers(), config.kafka().topics().frames(),
                config.kafka().topics().depth(), List.of(camera("cam-a", 21), camera("cam-b", 22)), RATE, FRAMES, 4,
                MAX_AHEAD);
        try (DepthHeaders reader = new DepthHeaders(kafka.bootstrapServers(), config.kafka().topics().depth())) {
            feed.start();
            // the job is up (models loaded, a checkpoint committed) once the first prime frame comes out
            assertThat(reader.readAtLeast(1, Duration.ofMinutes(2))).as("a first result within 2 min").isTrue();
            feed.release();
            long steadySince = System.nanoTime();
            for (int target = SAMPLE_EVERY; target <= FRAMES; target += SAMPLE_EVERY) {
                boolean in = reader.readAtLeast(target, Duration.ofMinutes(2));
                assertThat(in).as("%d results within 2 min of the previous sample; read %d, sent %d, samples %s",
                        target, reader.results().size(), feed.sent(), samples).isTrue();
                samples.add(sample(target, steadySince));
                System.out.println("soak: " + samples.get(samples.size() - 1));
            }
            feed.awaitDone(Duration.ofSeconds(30));
            results = reader.results();
        } finally {
            feed.close();
            if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
        int afterJob = awaitArraysBackTo(beforeJob, Duration.ofSeconds(30));
        double seconds = (System.nanoTime() - started) / 1e9;

        Set<String> distinct = results.stream().map(r -> r.camera() + "#" + r.seq()).collect(Collectors.toSet());
        List<DepthHeaders.Result> inFrameOrder = results.stream()
                .sorted(Comparator.comparingLong(DepthHeaders.Result::seq).thenComparing(DepthHeaders.Result::camera))
                .toList();
        long firstMedian = median(inFrameOrder.subList(0, SAMPLE_EVERY));
        long lastMedian = median(inFrameOrder.subList(FRAMES - SAMPLE_EVERY, FRAMES));
        Sample early = samples.get(0);
        Sample end = samples.get(samples.size() - 1);
        String report = String.format(Locale.ROOT, "soak of %d frames at %.0f/s (feed at worst %d ms behind its "
                        + "schedule, %.1f s held back waiting for the job), %.1f s in all%n"
                        + "  live NDArrays before the job %d, after it %d%n  %s%n"
                        + "  latency median first %d frames %d ms, last %d frames %d ms",
                FRAMES, RATE, feed.maxBehind().toMillis(), feed.heldBack().toMillis() / 1000.0, seconds, beforeJob,
                afterJob,
                samples.stream().map(Sample::toString).collect(Collectors.joining("\n  ")), SAMPLE_EVERY,
                firstMedian, SAMPLE_EVERY, lastMedian);
        System.out.println(report);

        assertThat(results).as(report).hasSize(FRAMES);
        assertThat(distinct).as("every frame once: " + report).hasSize(FRAMES);
        assertThat(end.liveArrays()).as("live NDArrays at the end, against %d early: %s", early.liveArrays(), report)
                .isLessThanOrEqualTo(early.liveArrays() + ARRAY_ALLOWANCE);
        assertThat(afterJob).as("live NDArrays once the job is gone, against %d before it: %s", beforeJob, report)
                .isEqualTo(beforeJob);
        assertThat(end.threads()).as("threads at the end, against %d early: %s", early.threads(), report)
                .isLessThanOrEqualTo(early.threads() + THREAD_ALLOWANCE);
        assertThat(end.heapAfterGc()).as("heap after GC at the end, against %d early: %s", early.heapAfterGc(),
                report).isLessThanOrEqualTo(early.heapAfterGc() + HEAP_ALLOWANCE_BYTES);
        assertThat(lastMedian).as("median latency of the last %d frames, against %d ms of the first: %s",
                SAMPLE_EVERY, firstMedian, report).isLessThanOrEqualTo(2 * firstMedian + LATENCY_SLACK_MS);
    }

    /** The count must see arrays wherever they are: a fresh base manager's three arrays, and then none of them. */
    private static void assertTheCountSeesArraysOfAnyManager(int before) throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager(); NDManager sub = manager.newSubManager()) {
            manager.zeros(new Shape(2, 2));
            sub.ones(new Shape(3));
            sub.zeros(new Shape(1));
            assertThat(LiveArrays.count()).as("live arrays with three more alive").isEqualTo(before + 3);
        }
        assertThat(LiveArrays.floor(Duration.ofMillis(50), 2)).as("live arrays once they are closed").isEqualTo(before);
    }

    /** Waits until the live arrays are back to {@code expected} (the job's models closed); returns the last count. */
    private static int awaitArraysBackTo(int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int count = LiveArrays.count();
        while (count != expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
            count = LiveArrays.count();
        }
        return count;
    }

    private static Sample sample(int results, long since) throws InterruptedException {
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int fewestThreads = Integer.MAX_VALUE;
        int fewestArrays = Integer.MAX_VALUE;
        // the job keeps running: the fewest over 20 readings in 400 ms is what stays between batches
        for (int i = 0; i < 20; i++) {
            fewestArrays = Math.min(fewestArrays, LiveArrays.count());
            fewestThreads = Math.min(fewestThreads, ManagementFactory.getThreadMXBean().getThreadCount());
            Thread.sleep(20);
        }
        return new Sample(results, fewestArrays, heap, fewestThreads,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static long median(List<DepthHeaders.Result> results) {
        long[] latencies = results.stream().mapToLong(DepthHeaders.Result::latencyMs).sorted().toArray();
        return latencies[latencies.length / 2];
    }

    /** A camera cycling through 16 frames of a synthetic drive, PNG-encoded once. */
    private static SteadyFeed.Camera camera(String id, long seed) {
        SyntheticDrive drive = SyntheticDrive.generate(seed, new DriveOptions(16, WIDTH, HEIGHT, false, false));
        List<byte[]> pngs = new ArrayList<>();
        for (int i = 0; i < drive.frames(); i++) {
            pngs.add(drive.render(i).image().encodePng());
        }
        return new SteadyFeed.Camera(id, drive.intrinsics(), pngs);
    }

    /** A seeded random lite model at 64x64, batches of 4, checkpoints every 500 ms, topics of its own. */
    private static StreamingConfig config(Path dir) throws Exception {
        String prefix = "soak";
        StreamingConfig config = StreamingConfig.defaults()
                .withBootstrap(kafka.bootstrapServers())
                .withModel(new StreamingConfig.Model(null, "random", "lite", HEIGHT, WIDTH, 3, "cpu", 4, 50, null,
                        "every-frame", 1000))
                .withTriplets(new StreamingConfig.Triplets(500, 10, 1000, 600_000))
                .withCheckpoints(new StreamingConfig.Checkpoints(500,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()))
                .withParallelism(1)
                .withOwnTopics(kafka.bootstrapServers(), prefix, 1);
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }
}
