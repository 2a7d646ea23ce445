package io.depthstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.inference.InferenceOperator;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecution;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failures in the middle of a stream of two cameras (issue "Reliability", item 1 and 2): an exception in the inference
 * operator, a TaskManager shut down, the Kafka broker stopped for 10 s. The job restarts from its last checkpoint by
 * itself, and read_committed consumers of {@code depth}, {@code poses} and {@code frames-dlq} see every input exactly
 * once. Each test prints one {@code RECOVERY} line with its numbers (docs/RELIABILITY.md quotes them).
 */
class FailureRecoveryIT {

    private static final long BASE_TIME_MS = 1_700_000_000_000L;
    private static final List<String> CAMERAS = List.of("cam-a", "cam-b");
    private static final int FRAMES_PER_CAMERA = 80;
    /** One corrupt record after every this many frames, so the dead-letter topic is exercised across the failure. */
    private static final int BAD_EVERY = 10;
    /** Cameras feed at 20 frames/s each: the stream lasts 4 s, so failures land in the middle of it. */
    private static final long FRAME_INTERVAL_MS = 50;
    private static final String TEST_ID = "it.id";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    @BeforeEach
    void startBrokerAndCluster() throws Exception {
        kafka = EmbeddedKafka.start();
        Configuration configuration = StreamingJob.localConfiguration();
        // one subtask of the job on each TaskManager, so losing one loses part of the running job
        configuration.set(TaskManagerOptions.TASK_MANAGER_LOAD_BALANCE_MODE,
                TaskManagerOptions.TaskManagerLoadBalanceMode.SLOTS);
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(configuration)
                .setNumTaskManagers(2)
                .setNumSlotsPerTaskManager(2)
                .build());
        cluster.start();
    }

    @AfterEach
    void stopBrokerAndCluster() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void anExceptionInInferenceRestartsFromTheLastCheckpointAndEveryInputIsWrittenOnce(@TempDir Path dir)
            throws Exception {
        StreamingConfig config = config("fail-inference", dir);
        Outcome outcome = run(config, Map.of(InferenceOperator.FAIL_AFTER_BATCHES_PARAMETER, "25"), depth -> { });

        outcome.assertEveryInputExactlyOnce();
        assertThat(outcome.recovery().restarts()).as("attempts after the first").isGreaterThanOrEqualTo(1);
        assertThat(outcome.recovery().causes()).contains(InferenceOperator.FAIL_AFTER_BATCHES_PARAMETER);
        outcome.print("inference exception");
    }

    @Test
    void aLostTaskManagerRestartsTheJobOnTheOtherAndEveryInputIsWrittenOnce(@TempDir Path dir) throws Exception {
        StreamingConfig config = config("lose-tm", dir);
        AtomicBoolean lost = new AtomicBoolean();
        Outcome outcome = run(config, Map.of(), depth -> {
            if (depth >= 30 && lost.compareAndSet(false, true)) {
                cluster.terminateTaskManager(0).join();
            }
        });

        assertThat(lost).isTrue();
        outcome.assertEveryInputExactlyOnce();
        assertThat(outcome.recovery().restarts()).as("attempts after the first").isGreaterThanOrEqualTo(1);
        outcome.print("TaskManager lost");
    }

    @Test
    void aBrokerDownForTenSecondsIsSurvivedAndEveryInputIsWrittenOnce(@TempDir Path dir) throws Exception {
        StreamingConfig config = config("broker-down", dir);
        AtomicBoolean stopped = new AtomicBoolean();
        List<CompletableFuture<Void>> outage = new ArrayList<>();
        long[] outageMs = new long[1];
        Outcome outcome = run(config, Map.of(), depth -> {
            if (depth >= 30 && stopped.compareAndSet(false, true)) {
                outage.add(CompletableFuture.runAsync(() -> {
                    long start = System.nanoTime();
                    kafka.stop();
                    sleep(10_000);
                    kafka.restart();
                    outageMs[0] = (System.nanoTime() - start) / 1_000_000;
                }));
            }
        });

        assertThat(stopped).isTrue();
        outage.get(0).get(1, TimeUnit.MINUTES);
        assertThat(outageMs[0]).isGreaterThanOrEqualTo(10_000);
        outcome.assertEveryInputExactlyOnce();
        outcome.print("broker down " + outageMs[0] + " ms");
    }

    /**
     * Submits the job to the two-TaskManager cluster, feeds both cameras in real time with corrupt records among
     * them, reads until every frame has its results (telling {@code progress} the depth count as it grows), takes
     * the job's restart history, then stops it with a final savepoint and reads what is left.
     */
    private Outcome run(StreamingConfig config, Map<String, String> jobParameters, ProgressListener progress)
            throws Exception {
        Feed feed = Feed.render();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.getConfig().setGlobalJobParameters(Configuration.fromMap(jobParameters));
        StreamingJob.define(env, config);
        JobID job = cluster.submitJob(env.getStreamGraph()).get(1, TimeUnit.MINUTES).getJobID();
        OutputRecords out;
        Recovery recovery;
        long start = System.nanoTime();
        try (OutputReader reader = new OutputReader(kafka.bootstrapServers(), config.kafka().topics().depth(),
                config.kafka().topics().poses(), config.kafka().topics().dlq())) {
            CompletableFuture<Void> feeding = CompletableFuture.runAsync(
                    () -> feed.send(kafka.bootstrapServers(), config.kafka().topics().frames()));
            OutputRecords read = reader.readUntil(feed.frames().size(), Duration.ofMinutes(3), progress::depthResults);
            feeding.get(2, TimeUnit.MINUTES);
            if (read.depth().size() < feed.frames().size()) {
                // the usual cause: a transaction nobody commits or aborts holds back every read_committed consumer
                System.out.println("OPEN TRANSACTIONS after " + read.depth().size() + " results: "
                        + openTransactions());
            }
            recovery = Recovery.of(cluster.getExecutionGraph(job).get(1, TimeUnit.MINUTES));
            cluster.stopWithSavepoint(job, Files.createTempDirectory(dir(config), "savepoint").toUri().toString(),
                    true, SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            out = reader.drain(Duration.ofSeconds(2));
        } catch (Exception e) {
            cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
            throw e;
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        List<String> dlq = readDeadLetters(config.kafka().topics().dlq(), feed.bad().size());
        return new Outcome(feed, out, dlq, recovery, wallMs);
    }

    /** The transactions the broker holds open, as {@code id (producer id, state)}. */
    private String openTransactions() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            List<String> open = new ArrayList<>();
            for (TransactionListing listing : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
                if (listing.state() != TransactionState.COMPLETE_COMMIT
                        && listing.state() != TransactionState.COMPLETE_ABORT
                        && listing.state() != TransactionState.EMPTY) {
                    open.add(listing.transactionalId() + " (" + listing.producerId() + ", " + listing.state() + ")");
                }
            }
            return open.toString();
        }
    }

    private static Path dir(StreamingConfig config) {
        return Path.of(java.net.URI.create(config.checkpoints().dir())).getParent();
    }

    /** The test ids of every record on the dead-letter topic, read_committed, in order. */
    private List<String> readDeadLetters(String topic, int expected) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + System.nanoTime());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, WireFormat.MAX_RECORD_BYTES);
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Header id = record.headers().lastHeader(TEST_ID);
                    Header error = record.headers().lastHeader(WireFormat.ERROR);
                    assertThat(error).as("ds.error of a dead letter").isNotNull();
                    ids.add(id == null ? "(no id)" : new String(id.value(), StandardCharsets.UTF_8));
                }
                if (ids.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    // a little longer: a duplicate would arrive now
                    quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                }
            }
        }
        return ids;
    }

    /** A seeded random lite model at 192x64, parallelism 2, topics of its own, checkpoints every 500 ms. */
    private StreamingConfig config(String prefix, Path dir) throws Exception {
        StreamingConfig config = StreamingConfig.defaults()
                .withModel(new StreamingConfig.Model(null, "random", "lite", 64, 192, 3, "cpu", 4, 50, null,
                        "every-frame", 1000))
                .withTriplets(new StreamingConfig.Triplets(500, 10, 1000, 600_000))
                .withCheckpoints(new StreamingConfig.Checkpoints(500,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()))
                .withParallelism(2)
                .withOwnTopics(kafka.bootstrapServers(), prefix, 2);
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Told the number of committed depth results each time more arrive. */
    @FunctionalInterface
    private interface ProgressListener {
        void depthResults(int count);
    }

    /** The input: every camera's frames in seq order, in real time, with a corrupt record after every tenth frame. */
    private record Feed(List<ProducerRecord<byte[], byte[]>> records, Set<String> frames, Set<String> bad) {

        static Feed render() {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            Set<String> frames = new HashSet<>();
            Set<String> bad = new HashSet<>();
            List<SyntheticDrive> drives = new ArrayList<>();
            for (int c = 0; c < CAMERAS.size(); c++) {
                drives.add(SyntheticDrive.generate(21 + c, new DriveOptions(FRAMES_PER_CAMERA, 320, 96, false,
                        false)));
            }
            FrameRecordEncoder encoder = new FrameRecordEncoder("unused");
            for (int seq = 0; seq < FRAMES_PER_CAMERA; seq++) {
                for (int c = 0; c < CAMERAS.size(); c++) {
                    String camera = CAMERAS.get(c);
                    SyntheticDrive drive = drives.get(c);
                    ProducerRecord<byte[], byte[]> frame = encoder.encode(camera, seq,
                            BASE_TIME_MS + FRAME_INTERVAL_MS * seq, drive.intrinsics(),
                            drive.render(seq).image().encodePng(), null);
                    records.add(frame);
                    frames.add(camera + "#" + seq);
                }
                if (seq % BAD_EVERY == BAD_EVERY - 1) {
                    String id = "bad-" + seq;
                    ProducerRecord<byte[], byte[]> corrupt = new ProducerRecord<>("unused", null,
                            BASE_TIME_MS + FRAME_INTERVAL_MS * seq, bytes(CAMERAS.get(0)),
                            bytes("not an image: " + id));
                    corrupt.headers().add(WireFormat.SEQ, bytes(Integer.toString(100_000 + seq)));
                    corrupt.headers().add(TEST_ID, bytes(id));
                    records.add(corrupt);
                    bad.add(id);
                }
            }
            return new Feed(records, frames, bad);
        }

        /** Sends every record to {@code topic}, one frame time after another per camera, and waits for the acks. */
        void send(String bootstrap, String topic) {
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES);
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                long start = System.nanoTime();
                int frameTimes = 0;
                for (ProducerRecord<byte[], byte[]> record : records) {
                    producer.send(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), record.value(),
                            record.headers()));
                    if (record.headers().lastHeader(TEST_ID) == null && isLastCamera(record)) {
                        frameTimes++;
                        long due = start + TimeUnit.MILLISECONDS.toNanos(FRAME_INTERVAL_MS * frameTimes);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            sleep(wait / 1_000_000);
                        }
                    }
                }
                producer.flush();
            }
        }

        private static boolean isLastCamera(ProducerRecord<byte[], byte[]> record) {
            return new String(record.key(), StandardCharsets.UTF_8).equals(CAMERAS.get(CAMERAS.size() - 1));
        }
    }

    /**
     * The job's restart history from its execution graph.
     *
     * @param restarts the highest attempt number of any task (0: never restarted)
     * @param downtimeMs from the first task failure to the last task running again, 0 without a restart
     * @param causes the failures of earlier attempts, one line each with the messages of its cause chain
     */
    private record Recovery(int restarts, long downtimeMs, String causes) {

        static Recovery of(AccessExecutionGraph graph) {
            int restarts = 0;
            long firstFailure = Long.MAX_VALUE;
            long lastRunning = 0;
            List<String> causes = new ArrayList<>();
            for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
                AccessExecution current = vertex.getCurrentExecutionAttempt();
                restarts = Math.max(restarts, current.getAttemptNumber());
                lastRunning = Math.max(lastRunning, current.getStateTimestamp(ExecutionState.RUNNING));
                for (AccessExecution earlier : vertex.getExecutionHistory().getHistoricalExecutions()) {
                    long failed = earlier.getStateTimestamp(ExecutionState.FAILED);
                    long canceled = earlier.getStateTimestamp(ExecutionState.CANCELED);
                    long end = failed > 0 ? failed : canceled;
                    if (end > 0) {
                        firstFailure = Math.min(firstFailure, end);
                    }
                    // the message lines of the whole cause chain: an injected failure that strikes in the flush
                    // before a checkpoint barrier arrives wrapped in "Could not perform checkpoint"
                    earlier.getFailureInfo().ifPresent(info -> causes.add(vertex.getTaskNameWithSubtaskIndex()
                            + ": " + info.getExceptionAsString().lines()
                                    .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                                    .collect(Collectors.joining(" / "))));
                }
            }
            long downtime = restarts == 0 || firstFailure == Long.MAX_VALUE ? 0 : lastRunning - firstFailure;
            return new Recovery(restarts, downtime, String.join("\n", causes));
        }
    }

    /** What came out of a run, against what went in. */
    private record Outcome(Feed feed, OutputRecords out, List<String> deadLetters, Recovery recovery, long wallMs) {

        void assertEveryInputExactlyOnce() {
            List<String> depth = out.depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
            List<String> poses = out.poses().stream().map(Outcome::poseKey).toList();
            assertThat(duplicates(depth)).as("depth results written more than once").isEmpty();
            assertThat(new HashSet<>(depth)).as("frames with a depth result").isEqualTo(feed.frames());
            assertThat(duplicates(poses)).as("pose results written more than once").isEmpty();
            assertThat(new HashSet<>(poses)).as("frames with a pose result").isEqualTo(feed.frames());
            assertThat(duplicates(deadLetters)).as("dead letters written more than once").isEmpty();
            assertThat(new HashSet<>(deadLetters)).as("corrupt records on the dead-letter topic")
                    .isEqualTo(feed.bad());
        }

        void print(String failure) {
            System.out.printf("RECOVERY %s: frames sent %d, depth %d, poses %d, corrupt sent %d, dead letters %d, "
                            + "restarts %d, downtime %d ms, run %d ms%n%s%n", failure, feed.frames().size(),
                    out.depth().size(), out.poses().size(), feed.bad().size(), deadLetters.size(),
                    recovery.restarts(), recovery.downtimeMs(), wallMs, recovery.causes());
        }

        private static String poseKey(String json) {
            try {
                JsonNode pose = JSON.readTree(json);
                return pose.path("camera").asText() + "#" + pose.path("seq").asLong();
            } catch (Exception e) {
                throw new AssertionError("pose record is not JSON: " + json, e);
            }
        }

        private static Map<String, Long> duplicates(List<String> keys) {
            Map<String, Long> counts = keys.stream().collect(Collectors.groupingBy(Function.identity(),
                    HashMap::new, Collectors.counting()));
            counts.values().removeIf(n -> n == 1);
            return counts;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
