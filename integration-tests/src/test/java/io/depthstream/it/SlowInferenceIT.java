package io.depthstream.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.inference.FramePolicy;
import io.depthstream.operators.inference.InferenceOperator;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inference slower than the cameras, end to end (a real Kafka broker, a Flink MiniCluster, a ResNet-18 on the CPU):
 * in the default every-frame mode back-pressure reaches the Kafka source, whose committed lag grows while nothing is
 * dropped; in latest-frame mode stale frames are dropped and counted and each camera's newest frame gets its result.
 *
 * <p>Two cameras send frames at {@value #RATE_HZ} Hz each, with the wall-clock send time as the record timestamp
 * (capture time), several times faster than a random ResNet-18 at 640x192 infers on a CPU, so the overload holds
 * on a loaded machine too.
 */
class SlowInferenceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CAMERAS = List.of("cam-a", "cam-b");
    private static final int RATE_HZ = 20;
    private static final int FEED_FRAMES_PER_CAMERA = 60;
    private static final long MAX_FRAME_AGE_MS = 500;
    private static final int DISTINCT_IMAGES = 4;

    private static EmbeddedKafka kafka;
    private static List<byte[]> images;
    private static Intrinsics intrinsics;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        // a few rendered frames, repeated: what the images show does not matter to how long inference takes
        SyntheticDrive drive = SyntheticDrive.generate(5, new DriveOptions(DISTINCT_IMAGES, 640, 192, false, false));
        images = new ArrayList<>();
        for (int i = 0; i < DISTINCT_IMAGES; i++) {
            images.add(drive.render(i).image().encodePng());
        }
        intrinsics = drive.intrinsics();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void everyFrameModeBackPressuresTheSourceAndDropsNothing(@TempDir Path dir) throws Exception {
        Run run = run(config("every", dir, FramePolicy.EVERY_FRAME));

        System.out.println("SlowInferenceIT every-frame: " + run.summary());
        List<Long> duringFeed = run.lagDuringFeed();
        assertThat(duringFeed).as("lag samples during the feed: " + run.summary()).hasSizeGreaterThanOrEqualTo(2);
        long first = duringFeed.get(0);
        long last = duringFeed.get(duringFeed.size() - 1);
        assertThat(last).as("the committed lag grows while inference falls behind: " + run.summary())
                .isGreaterThan(first + run.sent() / 4);
        // the source itself falls behind the topic: back-pressure, not only checkpoints that commit late
        List<Long> unread = run.unreadDuringFeed();
        assertThat(unread.get(unread.size() - 1)).as("frames not yet read by the source grow: " + run.summary())
                .isGreaterThan(Math.max(0, unread.get(0)) + run.sent() / 4);

        List<String> seen = run.out().depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
        assertThat(seen).as(run.summary()).hasSize(run.sent()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(run.expected());
        assertThat(run.out().poses()).hasSize(run.sent());
        assertThat(run.dropped()).isZero();
    }

    @Test
    void latestFrameModeDropsStaleFramesCountsThemAndServesEachCamerasNewest(@TempDir Path dir) throws Exception {
        Run run = run(config("latest", dir, FramePolicy.LATEST_FRAME));

        System.out.println("SlowInferenceIT latest-frame: " + run.summary());
        List<String> seen = run.out().depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
        assertThat(seen).as(run.summary()).doesNotHaveDuplicates();
        assertThat(run.expected()).containsAll(seen);
        assertThat(seen.size()).as("fewer results than frames: " + run.summary()).isLessThan(run.sent());
        assertThat(run.dropped()).as("every frame without a result was counted as dropped: " + run.summary())
                .isEqualTo(run.sent() - seen.size());
        for (String camera : CAMERAS) {
            assertThat(seen).as("the newest frame of " + camera + " has its result").contains(
                    camera + "#" + FEED_FRAMES_PER_CAMERA);
        }
        assertThat(run.out().poses()).hasSameSizeAs(seen);
    }

    /**
     * A random ResNet-18 at 640x192 on the CPU in batches of up to 2, one subtask, checkpoints every 500 ms, topics
     * of its own.
     */
    private static StreamingConfig config(String prefix, Path dir, FramePolicy policy) throws Exception {
        StreamingConfig config = StreamingConfig.defaults()
                .withModel(new StreamingConfig.Model(null, "random", "resnet18", 192, 640, 3, "cpu", 2, 50, null,
                        policy.configName(), MAX_FRAME_AGE_MS))
                .withTriplets(new StreamingConfig.Triplets(500, 10, 1000, 600_000))
                .withCheckpoints(new StreamingConfig.Checkpoints(500,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()))
                .withParallelism(1)
                .withOwnTopics(kafka.bootstrapServers(), prefix, 2);
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }

    /**
     * Starts the job, warms it up with frame 0 of each camera (until their results are committed, so the job is
     * consuming before the feed starts), feeds frames 1..{@value #FEED_FRAMES_PER_CAMERA} of each camera at
     * {@value #RATE_HZ} Hz while sampling the consumer group's lag, waits until each camera's newest frame has its
     * result (every-frame: until every frame has), stops the job with a final savepoint and reads everything.
     */
    private static Run run(StreamingConfig config) throws Exception {
        long started = System.nanoTime();
        InMemoryReporter reporter = InMemoryReporter.create();
        Configuration flink = reporter.addToConfiguration(StreamingJob.localConfiguration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(), flink);
        StreamingJob.define(env, config);
        JobClient job = env.executeAsync(StreamingJob.NAME);
        boolean everyFrame = FramePolicy.parse(config.model().framePolicy()) == FramePolicy.EVERY_FRAME;
        String topic = config.kafka().topics().frames();
        FrameRecordEncoder encoder = new FrameRecordEncoder(topic);
        List<Long> lagSamples = Collections.synchronizedList(new ArrayList<>());
        List<Long> unreadSamples = Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (OutputReader reader = new OutputReader(kafka.bootstrapServers(), config.kafka().topics().depth(),
                config.kafka().topics().poses(), config.kafka().topics().dlq());
                KafkaProducer<byte[], byte[]> producer = producer();
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            for (String camera : CAMERAS) {
                producer.send(encoder.encode(camera, 0, System.currentTimeMillis(), intrinsics, images.get(0), null));
            }
            producer.flush();
            assertThat(reader.readUntil(CAMERAS.size(), Duration.ofMinutes(2), n -> { }).depth())
                    .as("the warm-up frames' results").hasSize(CAMERAS.size());
            long warmedUp = System.nanoTime();

            String group = config.kafka().groupId();
            sampler.scheduleAtFixedRate(() -> {
                synchronized (lagSamples) {
                    long[] endAndCommitted = offsets(admin, group, topic);
                    long read = sourceRecordsOut(reporter, job);
                    lagSamples.add(endAndCommitted[0] - endAndCommitted[1]);
                    unreadSamples.add(read < 0 ? -1 : endAndCommitted[0] - read);
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
            long feedStart = System.nanoTime();
            long periodNanos = TimeUnit.SECONDS.toNanos(1) / RATE_HZ;
            for (int seq = 1; seq <= FEED_FRAMES_PER_CAMERA; seq++) {
                long due = feedStart + (seq - 1) * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                for (String camera : CAMERAS) {
                    producer.send(encoder.encode(camera, seq, System.currentTimeMillis(), intrinsics,
                            images.get(seq % DISTINCT_IMAGES), null));
                }
            }
            producer.flush();
            long feedEnd = System.nanoTime();
            int samplesDuringFeed;
            synchronized (lagSamples) {
                samplesDuringFeed = lagSamples.size();
            }

            int sent = CAMERAS.size() * (FEED_FRAMES_PER_CAMERA + 1);
            Set<String> newest = new HashSet<>();
            for (String camera : CAMERAS) {
                newest.add(camera + "#" + FEED_FRAMES_PER_CAMERA);
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            OutputRecords out = reader.readUntil(0, Duration.ZERO, n -> { });
            while (System.nanoTime() < deadline && !(everyFrame ? out.depth().size() >= sent
                    : out.depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList().containsAll(newest))) {
                out = reader.readUntil(sent, Duration.ofMillis(500), n -> { });
            }
            long caughtUp = System.nanoTime();
            sampler.shutdownNow();
            // the reporter forgets every metric when the job's MiniCluster shuts down: take the counter now and read
            // it once the job has stopped
            Counter dropped = droppedCounter(reporter, job);
            job.stopWithSavepoint(true, Files.createTempDirectory("savepoint").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            out = reader.drain(Duration.ofSeconds(2));

            Set<String> expected = new HashSet<>();
            for (int seq = 0; seq <= FEED_FRAMES_PER_CAMERA; seq++) {
                for (String camera : CAMERAS) {
                    expected.add(camera + "#" + seq);
                }
            }
            List<Long> samples;
            List<Long> pending;
            synchronized (lagSamples) {
                samples = List.copyOf(lagSamples);
                pending = List.copyOf(unreadSamples);
            }
            return new Run(sent, expected, out, dropped.getCount(), samples, pending, samplesDuringFeed,
                    millis(warmedUp - started), millis(feedEnd - feedStart), millis(caughtUp - feedEnd),
                    millis(System.nanoTime() - started));
        } catch (Exception | AssertionError e) {
            sampler.shutdownNow();
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception cancel) {
                // the job may have ended already (a local MiniCluster shuts down with it)
                e.addSuppressed(cancel);
            }
            throw e;
        }
    }

    /**
     * The frames on the topic and those the job's consumer group has committed (the Kafka source commits at each
     * completed checkpoint): their difference is the group's lag.
     */
    private static long[] offsets(Admin admin, String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < 2; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            long ends = 0;
            long done = 0;
            for (var end : admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata offset = committed.get(end.getKey());
                ends += end.getValue().offset();
                done += offset == null ? 0 : offset.offset();
            }
            return new long[] {ends, done};
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the lag of " + group + " on " + topic, e);
        }
    }

    /** The frames the Kafka source has emitted into the job so far, or -1 before it reports them. */
    private static long sourceRecordsOut(InMemoryReporter reporter, JobClient job) {
        long out = -1;
        for (Map.Entry<String, Metric> metric : reporter.getMetricsByIdentifiers(job.getJobID()).entrySet()) {
            if (metric.getKey().endsWith(".Source: frames.0.numRecordsOut")
                    && metric.getValue() instanceof Counter counter) {
                out = Math.max(out, 0) + counter.getCount();
            }
        }
        return out;
    }

    /** The {@value InferenceOperator#STALE_DROPPED_METRIC} counter of the running job's one inference subtask. */
    private static Counter droppedCounter(InMemoryReporter reporter, JobClient job) {
        List<Counter> counters = new ArrayList<>();
        for (Map.Entry<String, Metric> metric : reporter.getMetricsByIdentifiers(job.getJobID()).entrySet()) {
            if (metric.getKey().endsWith("." + InferenceOperator.STALE_DROPPED_METRIC)
                    && metric.getValue() instanceof Counter counter) {
                counters.add(counter);
            }
        }
        assertThat(counters).as("inference subtasks reporting " + InferenceOperator.STALE_DROPPED_METRIC).hasSize(1);
        return counters.get(0);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * What one run measured.
     *
     * @param sent frames sent, warm-up included
     * @param expected camera#seq of every frame sent
     * @param out everything the job committed
     * @param dropped the job's stale-frame counter at the end
     * @param lagSamples the consumer group's lag (committed offsets) every 500 ms from the feed's start until the
     *     results were in
     * @param unreadSamples frames on the topic not yet emitted by the job's Kafka source, at the same times (-1: the
     *     source did not report its count yet)
     * @param samplesDuringFeed how many of the samples were taken while frames were being sent
     */
    private record Run(int sent, Set<String> expected, OutputRecords out, long dropped, List<Long> lagSamples,
            List<Long> unreadSamples, int samplesDuringFeed, long startupMs, long feedMs, long catchUpMs, long totalMs) {

        List<Long> lagDuringFeed() {
            return lagSamples.subList(0, Math.min(samplesDuringFeed, lagSamples.size()));
        }

        List<Long> unreadDuringFeed() {
            return unreadSamples.subList(0, Math.min(samplesDuringFeed, unreadSamples.size()));
        }

        String summary() {
            return "sent " + sent + " frames in " + feedMs + " ms after " + startupMs + " ms of start-up and warm-up, "
                    + out.depth().size() + " results, " + dropped + " counted as dropped, every 500 ms the committed "
                    + "lag " + lagSamples + " and the frames not yet read by the source " + unreadSamples + " ("
                    + samplesDuringFeed + " samples during the feed), results complete " + catchUpMs
                    + " ms after the feed, " + totalMs + " ms in all, median inference " + medianInferenceMs()
                    + " ms per batch";
        }

        /** The median of the results' {@code inference_ms} (the time of the batch each result ran in). */
        String medianInferenceMs() {
            List<Double> times = new ArrayList<>();
            for (OutputRecords.DepthRecord record : out.depth()) {
                try {
                    times.add(JSON.readTree(record.stages()).path("inference_ms").asDouble());
                } catch (Exception e) {
                    return "unknown (" + e.getMessage() + ")";
                }
            }
            Collections.sort(times);
            return times.isEmpty() ? "unknown" : String.format(Locale.ROOT, "%.0f", times.get(times.size() / 2));
        }
    }
}
