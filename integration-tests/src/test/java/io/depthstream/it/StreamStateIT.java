package io.depthstream.it;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local {@code stream} command as a user runs it, in its own JVM against a real broker: Ctrl-C (SIGINT) and
 * SIGTERM stop it with a savepoint in its state directory, the next run resumes from there without losing or
 * repeating a frame, a state directory of another job is refused with one line, and {@code kafka.start-from:
 * committed} on a group without committed offsets starts at the earliest frame.
 */
class StreamStateIT {

    private static final long BASE_TIME_MS = 1_700_000_000_000L;

    private static EmbeddedKafka kafka;
    private static Path jar;

    @BeforeAll
    static void start() {
        jar = Paths.get(System.getProperty("depthstream.cli.jar")).toAbsolutePath().normalize();
        assertThat(jar).as("the pipeline module packages the CLI jar before integration tests").isRegularFile();
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /** A failed test leaves no `stream` process behind. */
    @AfterEach
    void killLeftovers() {
        for (Process process : LAUNCHED) {
            process.destroyForcibly();
        }
        LAUNCHED.clear();
    }

    private static final List<Process> LAUNCHED = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void committedStartOnANewGroupBeginsAtTheEarliestFrameAndSigtermStopsWithASavepoint(@TempDir Path dir)
            throws Exception {
        StreamingConfig config = config("committed", "committed");
        List<ProducerRecord<byte[], byte[]>> frames = frames(config, 0, 5);
        send(frames);
        Path state = dir.resolve("state");

        try (OutputReader reader = reader(config)) {
            Stream stream = Stream.start(config, dir, state);
            OutputRecords out = reader.readUntil(frames.size(), Duration.ofMinutes(3), n -> { });
            assertThat(out.depth()).as(stream.log()).hasSize(frames.size());
            assertThat(stream.stop("TERM")).as(stream.log()).isZero();
            assertThat(stream.log()).contains("stopped; savepoint").doesNotContain("NoOffsetForPartitionException");
            assertThat(reader.drain(Duration.ofSeconds(2)).depth()).hasSize(frames.size());
        }
        try (java.util.stream.Stream<Path> savepoints = Files.list(state.resolve("savepoints"))) {
            assertThat(savepoints.toList()).as("the savepoint of the stop, nothing older").hasSize(1);
        }
    }

    @Test
    void ctrlCStopsWithASavepointAndTheNextRunResumesFromItExactlyOnce(@TempDir Path dir) throws Exception {
        StreamingConfig config = config("resume", "earliest");
        Path state = dir.resolve("state");
        int total = 40;
        // the first half of the frames goes out at 6 per second while the first run starts; the rest waits
        List<ProducerRecord<byte[], byte[]>> records = frames(config, 0, total / 2);
        assertThat(records).hasSize(total);
        Feed feed = new Feed(records, 6.0, total / 2);

        try (OutputReader reader = reader(config)) {
            Stream first = Stream.start(config, dir, state);
            feed.start();
            OutputRecords before = reader.readUntil(6, Duration.ofMinutes(3), n -> { });
            assertThat(before.depth()).as(first.log()).hasSizeGreaterThanOrEqualTo(6);
            assertThat(first.stop("INT")).as(first.log()).isZero();
            assertThat(first.log()).contains("stopped; savepoint");
            int atStop = reader.drain(Duration.ofSeconds(1)).depth().size();
            System.out.printf("StreamStateIT: %d results committed when the first run stopped, %d frames sent%n",
                    atStop, feed.sent());

            // the rest goes out while the job is down and after it is back
            feed.release();
            Stream second = Stream.start(config, dir, state);
            assertThat(second.log()).contains("resumed from");
            assertThat(feed.await()).isEqualTo(total);
            OutputRecords out = reader.readUntil(total, Duration.ofMinutes(3), n -> { });
            assertThat(out.depth()).as(second.log()).hasSizeGreaterThanOrEqualTo(total);
            assertThat(second.stop("INT")).as(second.log()).isZero();
            out = reader.drain(Duration.ofSeconds(3));

            List<String> seen = out.depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
            assertThat(seen).as(first.log() + second.log()).doesNotHaveDuplicates().hasSize(total);
            Set<String> expected = new HashSet<>();
            for (int seq = 0; seq < total / 2; seq++) {
                expected.add("cam-a#" + seq);
                expected.add("cam-b#" + seq);
            }
            assertThat(new HashSet<>(seen)).isEqualTo(expected);
            assertThat(out.poses()).hasSize(total);
            assertThat(out.rejected()).isEmpty();
        }

        // the same state directory with another frames topic: refused before any job starts, in one line
        StreamingConfig other = config("resume-other", "earliest");
        Stream refused = Stream.run(other, dir, state);
        assertThat(refused.exit()).isEqualTo(1);
        List<String> lines = refused.log().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(refused.log()).hasSize(1);
        assertThat(lines.get(0)).startsWith("error: state directory").contains("kafka.topics.frames")
                .contains("resume-frames").contains("resume-other-frames");
    }

    /** Topics created; a random lite model at 192x64, two partitions, checkpoints every 500 ms, no checkpoint directory of its own. */
    private static StreamingConfig config(String prefix, String startFrom) {
        StreamingConfig own = StreamingConfig.defaults().withOwnTopics(kafka.bootstrapServers(), prefix, 2);
        StreamingConfig.Kafka k = own.kafka();
        StreamingConfig config = new StreamingConfig(new StreamingConfig.Kafka(k.bootstrap(), k.groupId(), startFrom, k.topics(), 2),
                new StreamingConfig.Model(null, "random", "lite", 64, 192, 3, "cpu", 4, 50, null, "every-frame", 1000),
                new StreamingConfig.Triplets(500, 10, 1000, 600_000), own.output(),
                new StreamingConfig.Checkpoints(500, null), 2, own.fineTune());
        // the test reads the result topics before the job has created them
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }

    /** Frames {@code from} to {@code to - 1} of cameras cam-a and cam-b, interleaved. */
    private static List<ProducerRecord<byte[], byte[]>> frames(StreamingConfig config, int from, int to) {
        SyntheticDrive a = SyntheticDrive.generate(21, new DriveOptions(to, 320, 96, false, false));
        SyntheticDrive b = SyntheticDrive.generate(22, new DriveOptions(to, 320, 96, false, false));
        FrameRecordEncoder encoder = new FrameRecordEncoder(config.kafka().topics().frames());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int seq = from; seq < to; seq++) {
            records.add(encoder.encode("cam-a", seq, BASE_TIME_MS + 100L * seq, a.intrinsics(),
                    a.render(seq).image().encodePng(), null));
            records.add(encoder.encode("cam-b", seq, BASE_TIME_MS + 100L * seq, b.intrinsics(),
                    b.render(seq).image().encodePng(), null));
        }
        return records;
    }

    private static OutputReader reader(StreamingConfig config) {
        return new OutputReader(kafka.bootstrapServers(), config.kafka().topics().depth(),
                config.kafka().topics().poses(), config.kafka().topics().dlq());
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            records.forEach(producer::send);
            producer.flush();
        }
    }

    /**
     * Sends records at a steady rate on a thread of its own, across stops and restarts of the job, holding those after
     * the first {@code heldFrom} until {@link #release}.
     */
    private static final class Feed {
        private final List<ProducerRecord<byte[], byte[]>> records;
        private final long periodMs;
        private final int heldFrom;
        private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        private final Thread thread;
        private volatile long sent;

        Feed(List<ProducerRecord<byte[], byte[]>> records, double perSecond, int heldFrom) {
            this.records = records;
            this.periodMs = Math.round(1000 / perSecond);
            this.heldFrom = heldFrom;
            this.thread = new Thread(this::run, "stream-state-feed");
        }

        void start() {
            thread.start();
        }

        void release() {
            released.countDown();
        }

        long sent() {
            return sent;
        }

        long await() throws InterruptedException {
            thread.join(TimeUnit.MINUTES.toMillis(2));
            return sent;
        }

        private void run() {
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                for (ProducerRecord<byte[], byte[]> record : records) {
                    if (sent == heldFrom) {
                        released.await();
                    }
                    producer.send(record).get();
                    sent++;
                    Thread.sleep(periodMs);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One {@code depthstream stream} process, its output in a log file. */
    private record Stream(Process process, Path logFile) {

        /** Starts {@code stream} and returns once it says the job is running. */
        static Stream start(StreamingConfig config, Path dir, Path state) throws Exception {
            Stream stream = launch(config, dir, state);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!stream.log().contains("running") && System.nanoTime() < deadline) {
                assertThat(stream.process.isAlive()).as(stream.log()).isTrue();
                Thread.sleep(200);
            }
            assertThat(stream.log()).contains("running");
            return stream;
        }

        /** Runs {@code stream} to its end (a refusal). */
        static Stream run(StreamingConfig config, Path dir, Path state) throws Exception {
            Stream stream = launch(config, dir, state);
            assertThat(stream.process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            return stream;
        }

        private static Stream launch(StreamingConfig config, Path dir, Path state) throws IOException {
            Path file = Files.createTempFile(dir, "stream-", ".yaml");
            Files.writeString(file, ConfigFiles.print(config));
            Path log = Files.createTempFile(dir, "stream-", ".log");
            Process process = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Doffline=true", "-Dai.djl.pytorch.graph_optimizer=false", "-Xmx1g", "-jar", jar.toString(),
                    "stream", "--config", file.toString(), "--state-dir", state.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            LAUNCHED.add(process);
            return new Stream(process, log);
        }

        /** Sends the signal ({@code INT} or {@code TERM}) and returns the exit status. */
        int stop(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(log()).isTrue();
            return process.exitValue();
        }

        int exit() {
            return process.exitValue();
        }

        String log() throws IOException {
            return Files.readString(logFile);
        }
    }
}
