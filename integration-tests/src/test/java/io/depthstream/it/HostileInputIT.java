package io.depthstream.it;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.operators.codec.FrameDecoder;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input (issue #9): over a thousand generated bad records of every kind the decoder knows, mixed with the
 * valid frames of three cameras, on a real broker and a Flink MiniCluster with exactly-once checkpointing. Every bad
 * record must land once on the dead-letter topic with a reason, every valid frame must get one depth and one pose
 * result, the job must never restart, and huge images must not cost their decoded size in heap.
 */
class HostileInputIT {

    private static final long SEED = 9;
    private static final long BASE_TIME_MS = 1_700_000_000_000L;
    /** Header carrying the test's own id of a bad record, so its dead letter can be matched to it. */
    private static final String ID_HEADER = "it.id";
    private static final List<String> CAMERAS = List.of("cam-a", "cam-b", "cam-c");
    private static final int FRAMES_PER_CAMERA = 20;
    private static final int DISTINCT_RENDERS = 4;
    /** Bytes of one 10000×10000 RGB8 frame decoded: what a decoder that trusted the header would allocate. */
    private static final long HUGE_DECODED_BYTES = 10_000L * 10_000L * 3;

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
    void everyBadRecordIsDeadLetteredOnceAndEveryValidFrameGetsItsResultWithoutARestart(@TempDir Path dir)
            throws Exception {
        long started = System.nanoTime();
        StreamingConfig config = config(dir);
        String topic = config.kafka().topics().frames();
        Samples samples = Samples.create();

        // valid frames: three cameras, each in seq order
        FrameRecordEncoder encoder = new FrameRecordEncoder(topic);
        Map<String, List<ProducerRecord<byte[], byte[]>>> valid = new LinkedHashMap<>();
        Set<String> expectedResults = new HashSet<>();
        for (int c = 0; c < CAMERAS.size(); c++) {
            String camera = CAMERAS.get(c);
            List<ProducerRecord<byte[], byte[]>> frames = new ArrayList<>();
            for (int seq = 0; seq < FRAMES_PER_CAMERA; seq++) {
                frames.add(encoder.encode(camera, seq, BASE_TIME_MS + 100L * seq, samples.intrinsics(c),
                        samples.frames(c).get(seq % DISTINCT_RENDERS), null));
                expectedResults.add(camera + "#" + seq);
            }
            valid.put(camera, frames);
        }

        // bad records: every kind, seeded, shuffled
        Random random = new Random(SEED);
        List<Bad> bad = new ArrayList<>();
        for (BadKind kind : BadKind.values()) {
            for (int i = 0; i < kind.count; i++) {
                String id = "bad-" + bad.size();
                ProducerRecord<byte[], byte[]> record = kind.make.apply(new Context(topic, samples, random));
                record.headers().add(ID_HEADER, id.getBytes(StandardCharsets.US_ASCII));
                bad.add(new Bad(id, kind, record));
            }
        }
        java.util.Collections.shuffle(bad, random);
        assertThat(bad).hasSizeGreaterThanOrEqualTo(1000);

        // interleave: each camera's frames stay in order, bad records fall anywhere between them
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, Integer> nextFrame = new HashMap<>();
        int badAt = 0;
        int validTotal = CAMERAS.size() * FRAMES_PER_CAMERA;
        int validSent = 0;
        while (badAt < bad.size() || validSent < validTotal) {
            boolean takeBad = validSent == validTotal
                    || (badAt < bad.size() && random.nextInt(bad.size() + validTotal) < bad.size());
            if (takeBad) {
                records.add(bad.get(badAt++).record());
            } else {
                String camera = CAMERAS.get(random.nextInt(CAMERAS.size()));
                int next = nextFrame.getOrDefault(camera, 0);
                if (next < FRAMES_PER_CAMERA) {
                    records.add(valid.get(camera).get(next));
                    nextFrame.put(camera, next + 1);
                    validSent++;
                }
            }
        }
        Map<String, Bad> badById = new HashMap<>();
        Map<BadKind, Integer> sentByKind = new TreeMap<>();
        long badBytes = 0;
        for (Bad b : bad) {
            badById.put(b.id(), b);
            sentByKind.merge(b.kind(), 1, Integer::sum);
            badBytes += b.record().value() == null ? 0 : b.record().value().length;
        }

        MemoryPoolMXBean oldGen = oldGeneration();
        System.gc();
        long heapBefore = usedHeap();
        long oldGenBefore = oldGen.getUsage().getUsed();
        oldGen.resetPeakUsage();

        InMemoryReporter reporter = InMemoryReporter.create();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                reporter.addToConfiguration(StreamingJob.localConfiguration()));
        StreamingJob.define(env, config);
        JobClient job = env.executeAsync(StreamingJob.NAME);
        OutputRecords results;
        long restartsWhileRunning;
        long rejectedCount;
        long acceptedCount;
        try (OutputReader reader = new OutputReader(kafka.bootstrapServers(), config.kafka().topics().depth(),
                config.kafka().topics().poses(), config.kafka().topics().dlq())) {
            send(records);
            reader.readUntil(validTotal, Duration.ofMinutes(3), done -> { });
            // the job's metrics go with it: read them while it runs, once the decoder has seen every record
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                rejectedCount = counterSum(reporter, job.getJobID(), FrameDecoder.REJECTED_METRIC);
                acceptedCount = counterSum(reporter, job.getJobID(), FrameDecoder.ACCEPTED_METRIC);
                Thread.sleep(100);
            } while (rejectedCount + acceptedCount < records.size() && System.nanoTime() < deadline);
            restartsWhileRunning = restarts(reporter, job.getJobID());
            job.stopWithSavepoint(true, Files.createTempDirectory("savepoint").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            results = reader.drain(Duration.ofSeconds(2));
        } catch (Exception e) {
            job.cancel().get(30, TimeUnit.SECONDS);
            throw e;
        }
        long peakOldGen = oldGen.getPeakUsage().getUsed();
        System.gc();
        long heapAfter = usedHeap();
        List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(config.kafka().topics().dlq(), bad.size(),
                Duration.ofSeconds(60));
        double seconds = (System.nanoTime() - started) / 1e9;

        String summary = String.format(java.util.Locale.ROOT, "hostile input: %d bad records (%.1f MB of values) "
                        + "and %d valid frames sent; %d dead letters, %d depth and %d pose results; restarts %d; "
                        + "heap used %d MB before, %d MB after (after GC); old generation %d MB before, peak %d MB; %.1f s; "
                        + "bad records by kind %s",
                bad.size(), badBytes / 1e6, validTotal, deadLetters.size(), results.depth().size(),
                results.poses().size(), restartsWhileRunning, heapBefore >> 20, heapAfter >> 20, oldGenBefore >> 20, peakOldGen >> 20,
                seconds, sentByKind);
        System.out.println(summary);

        // every valid frame: exactly one depth and one pose result
        List<String> seen = results.depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
        assertThat(seen).as(summary).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).as(summary).isEqualTo(expectedResults);
        assertThat(results.poses()).as(summary).hasSize(validTotal);

        // every bad record: exactly once on the dead-letter topic, with a one-line reason and its original bytes
        Map<String, Integer> letters = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> letter : deadLetters) {
            String id = header(letter, ID_HEADER);
            String reason = header(letter, WireFormat.ERROR);
            assertThat(id).as("a dead letter without the test's id: %s", reason).isNotNull();
            letters.merge(id, 1, Integer::sum);
            Bad original = badById.get(id);
            assertThat(original).as("dead letter %s is no bad record of this test", id).isNotNull();
            assertThat(reason).as("reason of %s (%s)", id, original.kind()).isNotBlank().doesNotContain("\n", "\r");
            assertThat(header(letter, WireFormat.SOURCE)).as("source of %s", id).startsWith(topic + "/");
            assertThat(letter.key()).as("key of %s", id).isEqualTo(original.record().key());
            if (original.kind() == BadKind.NEAR_LIMIT_VALUE) {
                // the copy would not fit the record limit with its reason: the value is left out and that is said
                assertThat(letter.value()).isNull();
                assertThat(reason).contains("value not kept");
            } else {
                byte[] value = original.record().value();
                assertThat(letter.value()).as("value of %s (%s)", id, original.kind()).isEqualTo(value);
            }
            assertThat(reason).as("reason of %s", id).containsPattern(original.kind().reason);
        }
        assertThat(letters.values()).as("dead letters per bad record").allMatch(count -> count == 1);
        assertThat(letters.keySet()).as(summary).isEqualTo(badById.keySet());

        // the job never restarted (failures after this would fail the stop), and its own counters agree
        assertThat(restartsWhileRunning).as(summary).isZero();
        assertThat(rejectedCount).as(summary).isEqualTo(bad.size());
        assertThat(acceptedCount).as(summary).isEqualTo(validTotal);

        // a trusted 10000x10000 header would have cost 300 MB per record; rejecting it costs none of that
        assertThat(peakOldGen - oldGenBefore).as(summary).isLessThan(HUGE_DECODED_BYTES);
        assertThat(heapAfter - heapBefore).as(summary).isLessThan(100L << 20);
    }

    /**
     * Seeded random lite model at 192x64, topics of its own, checkpoints every 500 ms, parallelism 2, frames decoded
     * between inference batches (so records that fail to decode late, on the decode threads, are covered).
     */
    private static StreamingConfig config(Path dir) throws Exception {
        String prefix = "hostile";
        StreamingConfig config = StreamingConfig.defaults()
                .withModel(new StreamingConfig.Model(null, "random", "lite", 64, 192, 3, "cpu", 4, 50, null,
                        "every-frame", 1000, "between-batches"))
                .withTriplets(new StreamingConfig.Triplets(500, 10, 1000, 600_000))
                .withCheckpoints(new StreamingConfig.Checkpoints(500,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()))
                .withParallelism(2)
                .withOwnTopics(kafka.bootstrapServers(), prefix, 2);
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }

    private static void send(List<ProducerRecord<byte[], byte[]>> records) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> record : records) {
                sent.add(producer.send(record));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> future : sent) {
                // a record the broker refused would make the test's expectations wrong: fail here, not later
                future.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("sending the hostile records failed", e);
        }
    }

    /** Everything committed on {@code topic}, read until {@code expected} records are in or the time is up. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration timeout) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "hostile-dlq-" + UUID.randomUUID());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, WireFormat.MAX_RECORD_BYTES);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            // keep reading a little past the expected count, so a duplicate would be seen
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    out.add(record);
                }
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return out;
    }

    private static long restarts(InMemoryReporter reporter, JobID job) {
        Metric metric = reporter.findMetric(job, "numRestarts")
                .orElseThrow(() -> new AssertionError("no numRestarts metric for job " + job));
        return ((Number) ((Gauge<?>) metric).getValue()).longValue();
    }

    private static long counterSum(InMemoryReporter reporter, JobID job, String name) {
        long sum = 0;
        for (Metric metric : reporter.findMetrics(job, name).values()) {
            sum += ((Counter) metric).getCount();
        }
        return sum;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The heap pool holding long-lived and humongous objects: a decoded 10000x10000 frame would land there. */
    private static MemoryPoolMXBean oldGeneration() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && (pool.getName().contains("Old") || pool.getName().contains("Tenured"))) {
                return pool;
            }
        }
        throw new AssertionError("no old-generation heap pool among " + ManagementFactory.getMemoryPoolMXBeans());
    }

    /**
     * One generated bad record.
     *
     * @param id the test's id, also in the {@value #ID_HEADER} header
     * @param kind what is wrong with it
     * @param record the record as sent
     */
    private record Bad(String id, BadKind kind, ProducerRecord<byte[], byte[]> record) {}

    /**
     * What a generator needs: the topic, the encoded samples (made once and reused), the seeded random.
     *
     * @param topic the frames topic
     * @param samples encoded images
     * @param random the test's seeded random
     */
    private record Context(String topic, Samples samples, Random random) {

        /** A record of camera {@code cam-a}..{@code cam-c} with a valid seq, intrinsics absent. */
        ProducerRecord<byte[], byte[]> frame(byte[] value) {
            return record(bytes(CAMERAS.get(random.nextInt(CAMERAS.size()))), value, "7");
        }

        ProducerRecord<byte[], byte[]> record(byte[] key, byte[] value, String seq) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null,
                    BASE_TIME_MS + random.nextInt(2000), key, value);
            if (seq != null) {
                record.headers().add(WireFormat.SEQ, bytes(seq));
            }
            return record;
        }

        ProducerRecord<byte[], byte[]> withHeader(String name, byte[] value) {
            ProducerRecord<byte[], byte[]> record = frame(samples.png());
            record.headers().add(name, value);
            return record;
        }

        byte[] randomBytes(int min, int max) {
            byte[] bytes = new byte[min + random.nextInt(max - min + 1)];
            random.nextBytes(bytes);
            return bytes;
        }

        /**
         * Garbage that takes its record to 20 bytes under {@link WireFormat#MAX_RECORD_BYTES} as Kafka counts it:
         * the frames topic takes it, but its dead letter, two headers longer, would not fit.
         */
        ProducerRecord<byte[], byte[]> atTheLimit() {
            ProducerRecord<byte[], byte[]> record = frame(new byte[0]);
            Header[] headers = {new RecordHeader(WireFormat.SEQ, record.headers().lastHeader(WireFormat.SEQ).value()),
                new RecordHeader(ID_HEADER, bytes("bad-0000"))};
            int framing = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                    CompressionType.NONE, record.key(), new byte[0], headers);
            byte[] value = new byte[WireFormat.MAX_RECORD_BYTES - 20 - framing];
            random.nextBytes(value);
            value[0] = 0; // neither a PNG nor a JPEG signature
            return new ProducerRecord<>(topic, null, record.timestamp(), record.key(), value, record.headers());
        }

        byte[] prefix(byte[] bytes, int min, int max) {
            return Arrays.copyOf(bytes, min + random.nextInt(max - min));
        }
    }

    /** The kinds of bad record, how many of each are sent, and what their reason must say. */
    private enum BadKind {
        GARBAGE_VALUE(80, "image is not a (PNG or JPEG|decodable)", c -> c.frame(c.randomBytes(1, 4096))),
        EMPTY_VALUE(30, "image is empty \\(0 bytes\\)", c -> c.frame(new byte[0])),
        NULL_VALUE(30, "image is empty \\(no value\\)", c -> c.frame(null)),
        TRUNCATED_PNG(80, "image is not a (decodable )?PNG", c -> c.frame(c.prefix(c.samples().png(), 8,
                c.samples().png().length - 1))),
        CORRUPT_PNG(40, "image is not a decodable PNG", c -> {
            byte[] png = c.samples().png().clone();
            png[64 + c.random().nextInt(png.length - 80)] ^= (byte) (1 + c.random().nextInt(255));
            return c.frame(png);
        }),
        TRUNCATED_JPEG(80, "image is (a truncated or corrupt JPEG|not a decodable PNG or JPEG|not a PNG or JPEG)",
                c -> c.frame(c.prefix(c.samples().jpeg(), 3, c.samples().jpeg().length - 1))),
        PNG_SIGNATURE_GARBAGE(60, "image is not a", c -> {
            byte[] bytes = c.randomBytes(9, 4096);
            System.arraycopy(Samples.PNG_SIGNATURE, 0, bytes, 0, 8);
            return c.frame(bytes);
        }),
        HUGE_PNG(20, "image is too large: 10000x10000", c -> c.frame(c.samples().hugePng())),
        HUGE_JPEG(30, "image is too large: 10000x10000", c -> c.frame(c.samples().hugeJpeg())),
        HUGE_SEMANTIC_MAP(20, "ds.semantic is 10000x10000 but the frame is",
                c -> c.withHeader(WireFormat.SEMANTIC, c.samples().hugeGreyPng())),
        NEAR_LIMIT_VALUE(3, "image is not a PNG or JPEG", Context::atTheLimit),
        ONE_PIXEL(40, "image is too small: 1x1", c -> c.frame(c.random().nextBoolean()
                ? c.samples().onePixelPng() : c.samples().onePixelJpeg())),
        GREY_IMAGE(20, "1 colour channel", c -> c.frame(c.samples().greyPng())),
        EMPTY_KEY(40, "record has no key", c -> c.record(new byte[0], c.samples().png(), "1")),
        NULL_KEY(30, "record has no key", c -> c.record(null, c.samples().png(), "1")),
        NON_UTF8_KEY(30, "record key is not UTF-8", c -> c.record(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF},
                c.samples().png(), "1")),
        SEQ_MISSING(30, "missing ds.seq", c -> c.record(bytes("cam-a"), c.samples().png(), null)),
        SEQ_NEGATIVE(40, "ds.seq must not be negative",
                c -> c.record(bytes("cam-b"), c.samples().png(), "-" + (1 + c.random().nextInt(1_000_000)))),
        SEQ_HUGE(30, "ds.seq is out of range", c -> c.record(bytes("cam-c"), c.samples().png(),
                "99999999999999999999" + c.random().nextInt(1000))),
        SEQ_NON_ASCII(30, "ds.seq is not a decimal integer",
                c -> c.record(bytes("cam-a"), c.samples().png(), c.random().nextBoolean() ? "\u0661\u0662" : "１２")),
        SEQ_BINARY(40, "ds.seq is not a decimal integer", c -> {
            ProducerRecord<byte[], byte[]> record = c.record(bytes("cam-b"), c.samples().png(), null);
            // a binary big-endian long where decimal text belongs, or plain garbage
            byte[] value = c.random().nextBoolean() ? ByteBuffer.allocate(8).putLong(42).array()
                    : c.randomBytes(1, 64);
            value[0] = (byte) (0x80 | value[0]); // never a digit, however the rest falls
            record.headers().add(WireFormat.SEQ, value);
            return record;
        }),
        SEQ_EMPTY(30, "ds.seq is not a decimal integer", c -> {
            ProducerRecord<byte[], byte[]> record = c.record(bytes("cam-c"), c.samples().png(), null);
            record.headers().add(WireFormat.SEQ, c.random().nextBoolean() ? null : new byte[0]);
            return record;
        }),
        INTRINSICS_NAN(30, "malformed ds.intrinsics|not a number", c -> c.withHeader(WireFormat.INTRINSICS,
                bytes(c.random().nextBoolean() ? "{\"fx\":NaN,\"fy\":100,\"cx\":96,\"cy\":32}"
                        : "{\"fx\":\"NaN\",\"fy\":100,\"cx\":96,\"cy\":32}"))),
        INTRINSICS_INFINITE(30, "intrinsics are not finite", c -> c.withHeader(WireFormat.INTRINSICS,
                bytes("{\"fx\":1e400,\"fy\":100,\"cx\":96,\"cy\":-1e999}"))),
        INTRINSICS_ZERO(30, "focal lengths must be in", c -> c.withHeader(WireFormat.INTRINSICS,
                bytes("{\"fx\":0,\"fy\":0,\"cx\":0,\"cy\":0}"))),
        INTRINSICS_NEGATIVE(30, "focal lengths must be in", c -> c.withHeader(WireFormat.INTRINSICS,
                bytes("{\"fx\":-" + (1 + c.random().nextInt(500)) + ",\"fy\":100,\"cx\":96,\"cy\":32}"))),
        INTRINSICS_GARBAGE(40, "malformed ds.intrinsics",
                c -> c.withHeader(WireFormat.INTRINSICS, c.random().nextBoolean() ? c.randomBytes(1, 200)
                        : c.samples().onePixelPng())),
        SEMANTIC_WRONG_TYPE(30, "ds.semantic", c -> c.withHeader(WireFormat.SEMANTIC, c.random().nextBoolean()
                ? bytes("{\"fx\":1}") : c.samples().png())),
        SEMANTIC_WRONG_SIZE(20, "ds.semantic is 40x40 but the frame is", c -> c.withHeader(WireFormat.SEMANTIC,
                c.samples().smallGreyPng()));

        final int count;
        final String reason;
        final Function<Context, ProducerRecord<byte[], byte[]>> make;

        BadKind(int count, String reason, Function<Context, ProducerRecord<byte[], byte[]>> make) {
            this.count = count;
            this.reason = reason;
            this.make = make;
        }
    }

    /**
     * Encoded images made once: rendered frames per camera, and the samples bad records are cut from.
     *
     * @param cameraFrames PNG frames of each camera ({@value #DISTINCT_RENDERS} renders, reused in turn)
     * @param cameraIntrinsics intrinsics of each camera's renders
     * @param png a valid PNG frame
     * @param jpeg a valid JPEG frame of noise (most of its bytes are scan data, so cuts land in it)
     * @param hugePng a real constant-colour 10000x10000 RGB8 PNG (about 300 KB)
     * @param hugeJpeg a valid JPEG whose header claims 10000x10000
     * @param hugeGreyPng a real constant 10000x10000 8-bit grey PNG (a semantic map)
     * @param onePixelPng a 1x1 RGB PNG
     * @param onePixelJpeg a 1x1 RGB JPEG
     * @param greyPng a grey frame
     * @param smallGreyPng a 40x40 grey PNG (a semantic map of the wrong size)
     */
    private record Samples(List<List<byte[]>> cameraFrames, List<io.depthstream.model.geometry.Intrinsics> cameraIntrinsics,
            byte[] png, byte[] jpeg, byte[] hugePng, byte[] hugeJpeg, byte[] hugeGreyPng, byte[] onePixelPng,
            byte[] onePixelJpeg, byte[] greyPng, byte[] smallGreyPng) {

        static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

        static Samples create() throws IOException {
            List<List<byte[]>> frames = new ArrayList<>();
            List<io.depthstream.model.geometry.Intrinsics> intrinsics = new ArrayList<>();
            for (int c = 0; c < CAMERAS.size(); c++) {
                SyntheticDrive drive = SyntheticDrive.generate(30 + c,
                        new DriveOptions(DISTINCT_RENDERS, 320, 96, false, false));
                List<byte[]> renders = new ArrayList<>();
                for (int i = 0; i < DISTINCT_RENDERS; i++) {
                    renders.add(drive.render(i).image().encodePng());
                }
                frames.add(renders);
                intrinsics.add(drive.intrinsics());
            }
            Random random = new Random(SEED);
            BufferedImage noise = new BufferedImage(192, 64, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < noise.getHeight(); y++) {
                for (int x = 0; x < noise.getWidth(); x++) {
                    noise.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            byte[] jpeg = encode(noise, "jpeg");
            BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            one.setRGB(0, 0, 0x406080);
            return new Samples(frames, intrinsics, frames.get(0).get(0), jpeg, constantPng(10_000, 10_000, 2),
                    jpegClaiming(jpeg, 10_000, 10_000), constantPng(10_000, 10_000, 0), encode(one, "png"),
                    encode(one, "jpeg"), encode(new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_GRAY), "png"),
                    encode(new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY), "png"));
        }

        List<byte[]> frames(int camera) {
            return cameraFrames.get(camera);
        }

        io.depthstream.model.geometry.Intrinsics intrinsics(int camera) {
            return cameraIntrinsics.get(camera);
        }

        private static byte[] encode(BufferedImage image, String format) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IOException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        }

        /** A real 8-bit PNG (colour type 2 RGB or 0 grey) of one colour, its rows streamed through the deflater. */
        private static byte[] constantPng(int width, int height, int colourType) throws IOException {
            int channels = colourType == 2 ? 3 : 1;
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (DeflaterOutputStream deflate = new DeflaterOutputStream(compressed,
                    new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
                byte[] row = new byte[1 + width * channels];
                Arrays.fill(row, 1, row.length, (byte) 0x5A);
                for (int y = 0; y < height; y++) {
                    deflate.write(row);
                }
            }
            ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                    .put((byte) 8).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(PNG_SIGNATURE);
            chunk(out, "IHDR", ihdr.array());
            chunk(out, "IDAT", compressed.toByteArray());
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        }

        private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
            byte[] name = type.getBytes(StandardCharsets.US_ASCII);
            CRC32 crc = new CRC32();
            crc.update(name);
            crc.update(data);
            out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
            out.writeBytes(name);
            out.writeBytes(data);
            out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        }

        /** {@code jpeg} with its SOF0 size changed to {@code width×height}. */
        private static byte[] jpegClaiming(byte[] jpeg, int width, int height) {
            byte[] forged = jpeg.clone();
            for (int i = 2; i + 8 < forged.length; i++) {
                if ((forged[i] & 0xFF) == 0xFF && (forged[i + 1] & 0xFF) == 0xC0) {
                    ByteBuffer.wrap(forged, i + 5, 4).putShort((short) height).putShort((short) width);
                    return forged;
                }
            }
            throw new IllegalStateException("no SOF0 marker in the JPEG");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
