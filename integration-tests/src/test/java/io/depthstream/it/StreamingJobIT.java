package io.depthstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.job.StreamingJob;
import io.depthstream.pipeline.replay.KittiReplay;
import io.depthstream.pipeline.replay.ReplayListener;
import io.depthstream.pipeline.replay.ReplayOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
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
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The streaming job end to end: a real Kafka broker (KRaft, in-process), a Flink MiniCluster, the real engine. */
class StreamingJobIT {

    private static final long BASE_TIME_MS = 1_700_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void everyFrameOnceDuplicatesDroppedCorruptRecordsToTheDeadLetterTopic(@TempDir Path dir) throws Exception {
        // decoding overlapped with inference, as on a GPU or with spare cores (the other test decodes as auto decides)
        StreamingConfig config = config("e2e", dir, "overlapped");
        SyntheticDrive driveA = SyntheticDrive.generate(11, new DriveOptions(10, 320, 96, false, false));
        SyntheticDrive driveB = SyntheticDrive.generate(12, new DriveOptions(10, 320, 96, false, false));
        FrameRecordEncoder encoder = new FrameRecordEncoder(config.kafka().topics().frames());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        // camera A: all ten frames, each adjacent pair swapped (out of order within the 500 ms bound)
        int[] orderA = {1, 0, 3, 2, 5, 4, 7, 6, 9, 8};
        for (int seq : orderA) {
            records.add(frame(encoder, "cam-a", driveA, seq));
            expected.add("cam-a#" + seq);
        }
        // camera B: frame 5 never comes (a gap), frame 3 comes twice (a duplicate)
        for (int seq = 0; seq < 10; seq++) {
            if (seq == 5) {
                continue;
            }
            records.add(frame(encoder, "cam-b", driveB, seq));
            expected.add("cam-b#" + seq);
            if (seq == 3) {
                records.add(frame(encoder, "cam-b", driveB, seq));
            }
        }
        int framesSent = records.size();
        // three corrupt records: not an image, no sequence number, malformed intrinsics
        String frames = config.kafka().topics().frames();
        ProducerRecord<byte[], byte[]> notImage = new ProducerRecord<>(frames, null, BASE_TIME_MS,
                bytes("cam-a"), bytes("this is not an image"));
        notImage.headers().add(WireFormat.SEQ, bytes("100"));
        ProducerRecord<byte[], byte[]> noSeq = new ProducerRecord<>(frames, null, BASE_TIME_MS, bytes("cam-a"),
                driveA.render(0).image().encodePng());
        ProducerRecord<byte[], byte[]> badIntrinsics = frame(encoder, "cam-b", driveB, 9);
        badIntrinsics.headers().remove(WireFormat.INTRINSICS);
        badIntrinsics.headers().add(WireFormat.INTRINSICS, bytes("{\"fx\": 100, \"fy\":"));
        records.add(3, notImage);
        records.add(9, noSeq);
        records.add(badIntrinsics);

        OutputRecords out = run(config, () -> send(records), framesSent - 1);

        assertThat(out.depth()).hasSize(framesSent - 1);
        assertThat(out.poses()).hasSize(framesSent - 1);
        List<String> seen = out.depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(expected);
        assertThat(out.depth()).allSatisfy(r -> {
            assertThat(r.modelVersion()).isEqualTo("random-lite-3");
            assertThat(r.scale()).isEqualTo("relative");
            assertThat(r.latencyMs()).isNotNegative();
        });
        assertThat(out.rejected()).hasSize(3);
        assertThat(String.join("\n", out.rejected()))
                .containsIgnoringCase("image")
                .contains(WireFormat.SEQ)
                .containsIgnoringCase("intrinsics");
    }

    @Test
    void replayingTheRealKittiFixtureGivesTwelveResultsWithItsCalibration(@TempDir Path dir) throws Exception {
        Path fixtures = kittiFixture();
        Path archives = Files.createDirectories(dir.resolve("archives"));
        makeArchives(fixtures, archives);
        StreamingConfig config = config("fixture", dir, "auto");

        OutputRecords out = run(config, () -> {
            try (KittiRawArchive archive = KittiRawArchive.open(archives)) {
                KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                                new ReplayOptions(config.kafka().topics().frames(), Double.POSITIVE_INFINITY, false))
                        .run(kafka.bootstrapServers(), Duration.ofSeconds(30), () -> false, ReplayListener.NONE);
            }
        }, 12);

        assertThat(out.depth()).hasSize(12);
        assertThat(out.depth().stream().map(OutputRecords.DepthRecord::seq).sorted().toList())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        assertThat(out.poses()).hasSize(12);
        // P_rect_02 of 2011_09_26 (pixels of the 1242x375 image), rescaled to the 192x64 network input
        for (String pose : out.poses()) {
            JsonNode intrinsics = JSON.readTree(pose).path("intrinsics");
            assertThat(intrinsics.path("fx").asDouble()).isCloseTo(721.5377 * 192 / 1242, within(1e-3));
            assertThat(intrinsics.path("fy").asDouble()).isCloseTo(721.5377 * 64 / 375, within(1e-3));
            assertThat(intrinsics.path("cx").asDouble()).isCloseTo(609.5593 * 192 / 1242, within(1e-3));
            assertThat(intrinsics.path("cy").asDouble()).isCloseTo(172.854 * 64 / 375, within(1e-3));
        }
        assertThat(out.rejected()).isEmpty();
    }

    /** A seeded random lite model at 192x64 decoding as {@code decode} says, own topics, checkpoints every 500 ms. */
    private static StreamingConfig config(String prefix, Path dir, String decode) throws Exception {
        StreamingConfig defaults = StreamingConfig.defaults();
        StreamingConfig config = defaults
                .withBootstrap(kafka.bootstrapServers())
                .withModel(new StreamingConfig.Model(null, "random", "lite", 64, 192, 3, "cpu", 4, 50, null,
                        "every-frame", 1000, decode))
                .withTriplets(new StreamingConfig.Triplets(500, 10, 1000, 600_000))
                .withCheckpoints(new StreamingConfig.Checkpoints(500,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()))
                .withParallelism(2)
                .withOwnTopics(kafka.bootstrapServers(), prefix, 2);
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }

    /** Starts the job, feeds it, reads until {@code results} are committed, drains the job and reads the rest. */
    private static OutputRecords run(StreamingConfig config, Feed feed, int results) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                StreamingJob.localConfiguration());
        StreamingJob.define(env, config);
        JobClient job = env.executeAsync(StreamingJob.NAME);
        try (OutputReader reader = new OutputReader(kafka.bootstrapServers(), config.kafka().topics().depth(),
                config.kafka().topics().poses(), config.kafka().topics().dlq())) {
            feed.run();
            reader.readUntil(results, Duration.ofMinutes(3), done -> { });
            job.stopWithSavepoint(true, Files.createTempDirectory("savepoint").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            return reader.drain(Duration.ofSeconds(2));
        } catch (Exception e) {
            job.cancel().get(30, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static ProducerRecord<byte[], byte[]> frame(FrameRecordEncoder encoder, String camera,
            SyntheticDrive drive, int seq) {
        return encoder.encode(camera, seq, BASE_TIME_MS + 100L * seq, drive.intrinsics(),
                drive.render(seq).image().encodePng(), null);
    }

    private static void send(List<ProducerRecord<byte[], byte[]>> records) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record);
            }
            producer.flush();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Path kittiFixture() {
        String property = System.getProperty("depthstream.fixtures");
        assumeTrue(property != null, "system property depthstream.fixtures is not set: no real KITTI frames");
        Path fixtures = Paths.get(property);
        assumeTrue(Files.isDirectory(fixtures.resolve("kitti_raw")),
                "no KITTI fixture at " + fixtures.resolve("kitti_raw") + ": skipping the real-data replay");
        return fixtures;
    }

    private static void makeArchives(Path fixtures, Path outDir) throws Exception {
        Path script = fixtures.resolve("make-kitti-archives.sh");
        assumeTrue(Files.isRegularFile(script), "no " + script + ": cannot pack the KITTI fixture into archives");
        Process process = new ProcessBuilder("bash", script.toString(), outDir.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    /** What puts frames onto the topic while the job runs. */
    @FunctionalInterface
    private interface Feed {
        void run() throws Exception;
    }
}
