package io.depthstream.operators.codec;

import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.RgbImage;
import io.depthstream.operators.InterceptedMetrics;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@link FrameDeserializer} and {@link FrameDecoder} on real encoded images through Flink's operator harness. */
class FrameDecoderTest {

    private static final int WIDTH = 64;
    private static final int HEIGHT = 48;
    private static final long CAPTURE_MS = 1_700_000_000_123L;

    private final InterceptedMetrics metrics = new InterceptedMetrics();
    private MockEnvironment environment;
    private OneInputStreamOperatorTestHarness<IncomingFrame, Frame> harness;
    private long nextOffset = 100;

    private void open(int networkWidth, int networkHeight) throws Exception {
        environment = metrics.environment();
        harness = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new FrameDecoder(networkWidth, networkHeight)), environment);
        harness.open();
    }

    @BeforeEach
    void openDefault() throws Exception {
        open(WIDTH / 2, HEIGHT / 2);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
        environment.close();
    }

    /** Colour of 2×2 block (bx, by): distinct per block, so a 2× area shrink gives exactly this colour. */
    private static int blockColour(int bx, int by) {
        return (bx * 8) << 16 | (by * 10) << 8 | ((bx + by) * 4);
    }

    private static BufferedImage blockImage(int type) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, type);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                image.setRGB(x, y, blockColour(x / 2, y / 2));
            }
        }
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    private static byte[] png() throws IOException {
        return encode(blockImage(BufferedImage.TYPE_INT_RGB), "png");
    }

    /** A grey PNG of class ids {@code (x + 7·y) mod 256}. */
    private static byte[] semanticPng(int width, int height) throws IOException {
        BufferedImage ids = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                ids.getRaster().setSample(x, y, 0, (x + 7 * y) % 256);
            }
        }
        return encode(ids, "png");
    }

    /** A PNG consisting only of a signature, an IHDR declaring {@code width×height} RGB8, and IEND. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ihdr.array());
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

    private ConsumerRecord<byte[], byte[]> record(String key, byte[] value, long timestamp, String... headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            recordHeaders.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("frames", 2, nextOffset++, timestamp, TimestampType.CREATE_TIME, 0, 0,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, recordHeaders, Optional.empty());
    }

    /** Runs records through the deserialiser and the decoder, as the job chains them. */
    private void feed(ConsumerRecord<byte[], byte[]> record) throws Exception {
        List<IncomingFrame> copied = new ArrayList<>();
        new FrameDeserializer().deserialize(record, new ListCollector<>(copied));
        assertThat(copied).hasSize(1);
        harness.processElement(copied.get(0), Math.max(0, record.timestamp()));
    }

    private List<RejectedRecord> rejected() {
        List<RejectedRecord> out = new ArrayList<>();
        var queue = harness.getSideOutput(FrameDecoder.REJECTED);
        if (queue != null) {
            for (StreamRecord<RejectedRecord> record : queue) {
                out.add(record.getValue());
            }
        }
        return out;
    }

    private RejectedRecord rejectedOnly(ConsumerRecord<byte[], byte[]> record) throws Exception {
        feed(record);
        assertThat(harness.extractOutputValues()).isEmpty();
        List<RejectedRecord> rejected = rejected();
        assertThat(rejected).hasSize(1);
        RejectedRecord only = rejected.get(0);
        assertThat(only.source()).isEqualTo("frames/2/" + record.offset());
        assertThat(only.reason()).doesNotContain("\n");
        return only;
    }

    @Test
    void pngFrameDecodesAtNetworkSizeWithIntrinsicsRescaled() throws Exception {
        long before = System.currentTimeMillis();
        feed(record("cam-1", png(), CAPTURE_MS, WireFormat.SEQ, "41",
                WireFormat.INTRINSICS, "{\"fx\":100.0,\"fy\":120,\"cx\":31.5,\"cy\":23.5}"));

        List<Frame> frames = harness.extractOutputValues();
        assertThat(frames).hasSize(1);
        Frame frame = frames.get(0);
        assertThat(frame.cameraId()).isEqualTo("cam-1");
        assertThat(frame.seq()).isEqualTo(41);
        assertThat(frame.captureTimeMs()).isEqualTo(CAPTURE_MS);
        assertThat(frame.receivedAtMs()).isBetween(before, System.currentTimeMillis());
        assertThat(frame.image().width()).isEqualTo(32);
        assertThat(frame.image().height()).isEqualTo(24);
        // Each 2×2 block is one colour, so the area filter reproduces the block colours exactly.
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                int colour = blockColour(x, y);
                assertThat(frame.image().get(x, y, 0)).isEqualTo(colour >> 16 & 0xFF);
                assertThat(frame.image().get(x, y, 1)).isEqualTo(colour >> 8 & 0xFF);
                assertThat(frame.image().get(x, y, 2)).isEqualTo(colour & 0xFF);
            }
        }
        assertThat(frame.intrinsics().fx()).isCloseTo(50.0, within(1e-9));
        assertThat(frame.intrinsics().fy()).isCloseTo(60.0, within(1e-9));
        assertThat(frame.intrinsics().cx()).isCloseTo(15.75, within(1e-9));
        assertThat(frame.intrinsics().cy()).isCloseTo(11.75, within(1e-9));
        assertThat(frame.semantic()).isNull();
        assertThat(frame.decodeNanos()).isPositive();
        assertThat(frame.resizeNanos()).isPositive();
        assertThat(rejected()).isEmpty();
        assertThat(metrics.count(FrameDecoder.ACCEPTED_METRIC)).isEqualTo(1);
        assertThat(metrics.count(FrameDecoder.REJECTED_METRIC)).isZero();
    }

    @Test
    void rgbAndRgbaPngFramesDecodeAsThroughImageIo() throws Exception {
        java.util.Random random = new java.util.Random(17);
        int[] types = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_BYTE_INDEXED};
        for (int type : types) {
            BufferedImage noisy = new BufferedImage(WIDTH, HEIGHT, type);
            for (int y = 0; y < HEIGHT; y++) {
                for (int x = 0; x < WIDTH; x++) {
                    noisy.setRGB(x, y, random.nextInt(256) << 24 | random.nextInt(1 << 24));
                }
            }
            byte[] png = encode(noisy, "png");
            feed(record("cam", png, CAPTURE_MS, WireFormat.SEQ, "1"));

            RgbImage expected = ImageResizer.resize(RgbImage.fromBufferedImage(ImageIO.read(
                    new java.io.ByteArrayInputStream(png))), WIDTH / 2, HEIGHT / 2);
            List<Frame> frames = harness.extractOutputValues();
            assertThat(frames.get(frames.size() - 1).image().rgb()).as("image type %d", type)
                    .isEqualTo(expected.rgb());
        }
        assertThat(metrics.count(FrameDecoder.ACCEPTED_METRIC)).isEqualTo(types.length);
    }

    @Test
    void truncatedAndCorruptPngFramesAreRejected() throws Exception {
        byte[] png = png();
        byte[] truncated = java.util.Arrays.copyOf(png, png.length - 20);
        byte[] corrupt = png.clone();
        corrupt[60] ^= 0x40;

        assertThat(rejectedOnly(record("cam", truncated, CAPTURE_MS, WireFormat.SEQ, "1")).reason())
                .startsWith("image is not a decodable PNG or JPEG image (" + truncated.length + " bytes): ")
                .contains("truncated");
        harness.getSideOutput(FrameDecoder.REJECTED).clear();
        assertThat(rejectedOnly(record("cam", corrupt, CAPTURE_MS, WireFormat.SEQ, "2")).reason())
                .contains("CRC mismatch");
        assertThat(metrics.count(FrameDecoder.REJECTED_METRIC)).isEqualTo(2);
    }

    @Test
    void jpegFrameWithoutIntrinsicsGetsKittiIntrinsicsAtNetworkSize() throws Exception {
        close();
        open(32, 16); // anisotropic: x halves, y shrinks by 3
        byte[] jpeg = encode(blockImage(BufferedImage.TYPE_INT_RGB), "jpeg");
        feed(record("cam-2", jpeg, CAPTURE_MS, WireFormat.SEQ, " 7 "));

        Frame frame = harness.extractOutputValues().get(0);
        assertThat(frame.seq()).isEqualTo(7);
        assertThat(frame.image().width()).isEqualTo(32);
        assertThat(frame.image().height()).isEqualTo(16);
        // KITTI's normalised K at 64×48 is (37.12, 92.16, 32, 24); scaled by (1/2, 1/3).
        assertThat(frame.intrinsics().fx()).isCloseTo(18.56, within(1e-9));
        assertThat(frame.intrinsics().fy()).isCloseTo(30.72, within(1e-9));
        assertThat(frame.intrinsics().cx()).isCloseTo(16.0, within(1e-9));
        assertThat(frame.intrinsics().cy()).isCloseTo(8.0, within(1e-9));
        // Column 10 averages source columns 20..21 (block 10); JPEG is lossy, so the colour is close, not exact.
        int red = frame.image().get(10, 0, 0);
        assertThat(red).isCloseTo(80, within(12));
        int blue = frame.image().get(10, 0, 2);
        assertThat(blue).isLessThan(red);
    }

    @Test
    void semanticMapIsResizedByNearestNeighbour() throws Exception {
        close();
        open(40, 20); // x scale 64/40 = 1.6, y scale 48/20 = 2.4
        feed(record("cam-3", png(), CAPTURE_MS, WireFormat.SEQ, "1"));
        List<IncomingFrame> copied = new ArrayList<>();
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireFormat.SEQ, "2".getBytes(StandardCharsets.UTF_8));
        headers.add(WireFormat.SEMANTIC, semanticPng(WIDTH, HEIGHT));
        new FrameDeserializer().deserialize(new ConsumerRecord<>("frames", 2, 5L, CAPTURE_MS, TimestampType.CREATE_TIME,
                0, 0, "cam-3".getBytes(StandardCharsets.UTF_8), png(), headers, Optional.empty()),
                new ListCollector<>(copied));
        harness.processElement(copied.get(0), CAPTURE_MS);

        List<Frame> frames = harness.extractOutputValues();
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).semantic()).isNull();
        byte[] ids = frames.get(1).semantic();
        assertThat(ids).hasSize(40 * 20);
        // Target x takes source column floor((x + 0.5)·1.6), target y row floor((y + 0.5)·2.4); id = col + 7·row.
        int[][] expected = {
            {0, 0, 0 + 7 * 1}, {1, 0, 2 + 7 * 1}, {2, 0, 4 + 7 * 1}, {3, 0, 5 + 7 * 1}, {39, 0, 63 + 7 * 1},
            {0, 1, 0 + 7 * 3}, {3, 1, 5 + 7 * 3}, {39, 19, (63 + 7 * 46) % 256}, {20, 10, (32 + 7 * 25) % 256},
        };
        for (int[] check : expected) {
            assertThat(ids[check[1] * 40 + check[0]] & 0xFF).as("id at (%d, %d)", check[0], check[1])
                    .isEqualTo(check[2]);
        }
        assertThat(metrics.count(FrameDecoder.ACCEPTED_METRIC)).isEqualTo(2);
    }

    @Test
    void paletteSemanticMapKeepsPaletteIndicesAsClassIds() throws Exception {
        byte[] grey = new byte[256];
        for (int i = 0; i < 256; i++) {
            grey[i] = (byte) (255 - i); // colours deliberately differ from indices
        }
        BufferedImage indexed = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, grey, grey, grey));
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                indexed.getRaster().setSample(x, y, 0, (x / 2 + y / 2) % 19);
            }
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireFormat.SEQ, "3".getBytes(StandardCharsets.UTF_8));
        headers.add(WireFormat.SEMANTIC, encode(indexed, "png"));
        feed(new ConsumerRecord<>("frames", 2, 9L, CAPTURE_MS, TimestampType.CREATE_TIME, 0, 0,
                "cam".getBytes(StandardCharsets.UTF_8), png(), headers, Optional.empty()));

        byte[] ids = harness.extractOutputValues().get(0).semantic();
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                assertThat(ids[y * 32 + x]).isEqualTo((byte) ((x + y) % 19));
            }
        }
    }

    @Test
    void eachKindOfInvalidRecordIsRejectedWithItsReasonAndSource() throws Exception {
        String intrinsics = WireFormat.INTRINSICS;
        record Case(ConsumerRecord<byte[], byte[]> record, String reason) { }
        List<Case> cases = List.of(
                new Case(record("cam", "hello, not an image".getBytes(StandardCharsets.UTF_8), CAPTURE_MS,
                        WireFormat.SEQ, "1"), "image is not a PNG or JPEG image (19 bytes)"),
                new Case(record("cam", new byte[0], CAPTURE_MS, WireFormat.SEQ, "1"), "image is empty (0 bytes)"),
                new Case(record("cam", null, CAPTURE_MS, WireFormat.SEQ, "1"), "image is empty (no value)"),
                new Case(record("cam", pngHeaderOnly(0, 10), CAPTURE_MS, WireFormat.SEQ, "1"), "image has zero size: 0x10"),
                new Case(record("cam", pngHeaderOnly(100_000, 100_000), CAPTURE_MS, WireFormat.SEQ, "1"),
                        "image is too large: 100000x100000 exceeds 8192 pixels per side or 16777216 pixels"),
                new Case(record("cam", png(), CAPTURE_MS), "missing ds.seq header"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "12a"),
                        "ds.seq is not a decimal integer: \"12a\""),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "-3"), "ds.seq must not be negative: -3"),
                new Case(record(null, png(), CAPTURE_MS, WireFormat.SEQ, "1"), "record has no key (the camera id)"),
                new Case(record("", png(), CAPTURE_MS, WireFormat.SEQ, "1"), "record has no key (the camera id)"),
                new Case(record("cam", png(), -1, WireFormat.SEQ, "1"), "record has no timestamp"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", intrinsics, "{fx: 1}"),
                        "malformed ds.intrinsics (not JSON"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", intrinsics, ""),
                        "malformed ds.intrinsics"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", intrinsics,
                        "{\"fx\":100,\"fy\":100,\"cx\":32,\"cy\":24}xyz"), "malformed ds.intrinsics (not JSON"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", intrinsics, "[1,2,3,4]"),
                        "malformed ds.intrinsics (not a JSON object"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", intrinsics,
                        "{\"fx\":\"100\",\"fy\":1,\"cx\":1,\"cy\":1}"), "\"fx\" is not a number"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", intrinsics,
                        "{\"fx\":100,\"fy\":100,\"cx\":32}"), "\"cy\" is missing"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", intrinsics,
                        "{\"fx\":-100,\"fy\":100,\"cx\":32,\"cy\":24}"), "ds.intrinsics rejected: focal lengths"),
                new Case(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", intrinsics,
                        "{\"fx\":100,\"fy\":100,\"cx\":5000,\"cy\":24}"), "principal point lies far outside"),
                new Case(record("cam", encode(blockImage(BufferedImage.TYPE_BYTE_GRAY), "png"), CAPTURE_MS,
                        WireFormat.SEQ, "1"), "image has 1 colour channel(s); frames must be RGB (3)"));

        for (Case c : cases) {
            RejectedRecord rejected = rejectedOnly(c.record());
            assertThat(rejected.reason()).as("reason for offset %d", c.record().offset()).contains(c.reason());
            harness.getSideOutput(FrameDecoder.REJECTED).clear();
        }
        assertThat(metrics.count(FrameDecoder.REJECTED_METRIC)).isEqualTo(cases.size());
        assertThat(metrics.count(FrameDecoder.ACCEPTED_METRIC)).isZero();
    }

    @Test
    void invalidSemanticMapsAreRejected() throws Exception {
        byte[] rgbSemantic = png();
        byte[] jpegSemantic = encode(blockImage(BufferedImage.TYPE_BYTE_GRAY), "jpeg");
        String[][] cases = {
            {"size", "ds.semantic is 10x5 but the frame is 64x48"},
            {"rgb", "ds.semantic must hold 8-bit class ids in one channel, got 3 channel(s)"},
            {"jpeg", "ds.semantic must be a PNG"},
            {"garbage", "ds.semantic is not a PNG or JPEG image (4 bytes)"},
        };
        for (String[] c : cases) {
            byte[] semantic = switch (c[0]) {
                case "size" -> semanticPng(10, 5);
                case "rgb" -> rgbSemantic;
                case "jpeg" -> jpegSemantic;
                default -> new byte[] {1, 2, 3, 4};
            };
            RecordHeaders headers = new RecordHeaders();
            headers.add(WireFormat.SEQ, "1".getBytes(StandardCharsets.UTF_8));
            headers.add(WireFormat.SEMANTIC, semantic);
            RejectedRecord rejected = rejectedOnly(new ConsumerRecord<>("frames", 2, nextOffset++, CAPTURE_MS,
                    TimestampType.CREATE_TIME, 0, 0, "cam".getBytes(StandardCharsets.UTF_8), png(), headers,
                    Optional.empty()));
            assertThat(rejected.reason()).contains(c[1]);
            harness.getSideOutput(FrameDecoder.REJECTED).clear();
        }
        assertThat(metrics.count(FrameDecoder.REJECTED_METRIC)).isEqualTo(cases.length);
    }

    @Test
    void rejectedRecordGoesToTheDeadLetterTopicWithOriginalBytesAndReason() throws Exception {
        byte[] value = "not an image".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> original = record("cam-9", value, CAPTURE_MS, WireFormat.SEQ, "5",
                "trace", "abc", WireFormat.ERROR, "stale reason");
        RejectedRecord rejected = rejectedOnly(original);

        ProducerRecord<byte[], byte[]> dlq =
                new RejectedRecordSerializer(WireFormat.DLQ_TOPIC).serialize(rejected, null, null);
        assertThat(dlq.topic()).isEqualTo("frames-dlq");
        assertThat(dlq.key()).isEqualTo("cam-9".getBytes(StandardCharsets.UTF_8));
        assertThat(dlq.value()).isEqualTo(value);
        assertThat(dlq.timestamp()).isEqualTo(CAPTURE_MS);
        List<String> names = new ArrayList<>();
        for (Header header : dlq.headers()) {
            names.add(header.key());
        }
        assertThat(names).containsExactly(WireFormat.SEQ, "trace", WireFormat.ERROR, WireFormat.SOURCE);
        assertThat(new String(dlq.headers().lastHeader(WireFormat.SEQ).value(), StandardCharsets.UTF_8)).isEqualTo("5");
        assertThat(new String(dlq.headers().lastHeader(WireFormat.ERROR).value(), StandardCharsets.UTF_8))
                .isEqualTo("image is not a PNG or JPEG image (12 bytes)");
        assertThat(new String(dlq.headers().lastHeader(WireFormat.SOURCE).value(), StandardCharsets.UTF_8))
                .isEqualTo("frames/2/" + original.offset());
    }

    /**
     * A real PNG of {@code width×height} in one colour, streamed row by row through the deflater: a 10000×10000 RGB
     * image is about 300 KB encoded, though decoding it would need 300 MB.
     */
    private static byte[] constantPng(int width, int height, int colourType, int bitDepth) throws IOException {
        int channels = colourType == 2 ? 3 : colourType == 6 ? 4 : 1;
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream deflate = new java.util.zip.DeflaterOutputStream(compressed,
                new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION), 1 << 16)) {
            byte[] row = new byte[1 + width * channels * bitDepth / 8];
            java.util.Arrays.fill(row, 1, row.length, (byte) 0x5A);
            for (int y = 0; y < height; y++) {
                deflate.write(row);
            }
        }
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) bitDepth).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", compressed.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A real baseline JPEG whose SOF0 claims {@code width×height}: decoders must read the claim before pixels. */
    private static byte[] jpegClaiming(int width, int height) throws IOException {
        byte[] jpeg = encode(blockImage(BufferedImage.TYPE_INT_RGB), "jpeg");
        for (int i = 2; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                ByteBuffer.wrap(jpeg, i + 5, 4).putShort((short) height).putShort((short) width);
                return jpeg;
            }
        }
        throw new AssertionError("no SOF0 marker in the JPEG");
    }

    /** Bytes this thread allocated while {@code action} ran (HotSpot's per-thread allocation counter). */
    private static long allocatedBy(ThrowingRunnable action) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void hugeImagesAreRejectedFromTheirHeaderBeforeAnyPixelIsDecoded() throws Exception {
        record Case(String name, byte[] image, String reason) { }
        List<Case> cases = List.of(
                new Case("RGB8 PNG (own decoder)", constantPng(10_000, 10_000, 2, 8),
                        "image is too large: 10000x10000 exceeds 8192 pixels per side or 16777216 pixels"),
                new Case("RGB16 PNG (ImageIO)", constantPng(10_000, 10_000, 2, 16), "image is too large: 10000x10000"),
                new Case("palette PNG (ImageIO)", constantPng(10_000, 10_000, 3, 8), "image is too large: 10000x10000"),
                new Case("JPEG", jpegClaiming(10_000, 10_000), "image is too large: 10000x10000"),
                new Case("over the pixel budget, sides within", pngHeaderOnly(5000, 4000),
                        "image is too large: 5000x4000"),
                new Case("a side over the limit", constantPng(8193, 64, 2, 8), "image is too large: 8193x64"));
        assertThat(cases.get(0).image().length).as("the 10000x10000 PNG is small on the wire").isLessThan(1_000_000);
        for (Case c : cases) {
            ConsumerRecord<byte[], byte[]> record = record("cam", c.image(), CAPTURE_MS, WireFormat.SEQ, "1");
            long allocated = allocatedBy(() -> assertThat(rejectedOnly(record).reason()).as(c.name())
                    .contains(c.reason()));
            // decoding any of them would allocate 300 MB or more; rejecting reads a header (and copies the record)
            assertThat(allocated).as("bytes allocated rejecting the %s", c.name())
                    .isLessThan(16L * 1024 * 1024 + 4L * c.image().length);
            harness.getSideOutput(FrameDecoder.REJECTED).clear();
        }
        assertThat(metrics.count(FrameDecoder.ACCEPTED_METRIC)).isZero();
    }

    @Test
    void hugeSemanticMapIsRejectedFromItsHeader() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireFormat.SEQ, "1".getBytes(StandardCharsets.UTF_8));
        headers.add(WireFormat.SEMANTIC, constantPng(10_000, 10_000, 0, 8));
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("frames", 2, nextOffset++, CAPTURE_MS,
                TimestampType.CREATE_TIME, 0, 0, "cam".getBytes(StandardCharsets.UTF_8), png(), headers,
                Optional.empty());

        long allocated = allocatedBy(() -> assertThat(rejectedOnly(record).reason())
                .isEqualTo("ds.semantic is 10000x10000 but the frame is 64x48"));
        assertThat(allocated).isLessThan(32L * 1024 * 1024);
    }

    @Test
    void tinyImagesAreRejectedAndTheSmallestAllowedIsDecoded() throws Exception {
        BufferedImage onePixel = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        onePixel.setRGB(0, 0, 0x336699);
        assertThat(rejectedOnly(record("cam", encode(onePixel, "png"), CAPTURE_MS, WireFormat.SEQ, "1")).reason())
                .isEqualTo("image is too small: 1x1 is under 16 pixels on a side");
        harness.getSideOutput(FrameDecoder.REJECTED).clear();
        assertThat(rejectedOnly(record("cam", encode(onePixel, "jpeg"), CAPTURE_MS, WireFormat.SEQ, "2")).reason())
                .isEqualTo("image is too small: 1x1 is under 16 pixels on a side");
        harness.getSideOutput(FrameDecoder.REJECTED).clear();
        assertThat(rejectedOnly(record("cam", constantPng(640, 15, 2, 8), CAPTURE_MS, WireFormat.SEQ, "3")).reason())
                .isEqualTo("image is too small: 640x15 is under 16 pixels on a side");

        feed(record("cam", constantPng(16, 16, 2, 8), CAPTURE_MS, WireFormat.SEQ, "4"));
        List<Frame> frames = harness.extractOutputValues();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).image().get(5, 5, 0)).isEqualTo(0x5A);
        assertThat(metrics.count(FrameDecoder.REJECTED_METRIC)).isEqualTo(3);
    }

    @Test
    void truncatedJpegAndGarbageBehindAPngSignatureAreRejected() throws Exception {
        java.util.Random random = new java.util.Random(5);
        BufferedImage noise = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                noise.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        byte[] jpeg = encode(noise, "jpeg"); // noise: most of the file is entropy-coded scan data
        byte[] garbagePng = new byte[2000];
        random.nextBytes(garbagePng);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, 0, garbagePng, 0, 8);
        byte[] headerThenGarbage = garbagePng.clone();
        byte[] ihdr = pngHeaderOnly(64, 48);
        System.arraycopy(ihdr, 0, headerThenGarbage, 0, 33);
        record Case(byte[] image, String reason) { }
        List<Case> cases = List.of(
                new Case(java.util.Arrays.copyOf(jpeg, jpeg.length * 3 / 4),
                        "image is a truncated or corrupt JPEG (" + jpeg.length * 3 / 4 + " bytes): Truncated File - Missing EOI marker"),
                new Case(java.util.Arrays.copyOf(jpeg, 300), "image is"),
                new Case(java.util.Arrays.copyOf(jpeg, 2), "image is not a"),
                new Case(garbagePng, "image is not a"),
                new Case(headerThenGarbage, "image is not a decodable PNG or JPEG image (2000 bytes)"),
                new Case(java.util.Arrays.copyOf(png(), 40), "image is not a decodable PNG"));
        for (Case c : cases) {
            assertThat(rejectedOnly(record("cam", c.image(), CAPTURE_MS, WireFormat.SEQ, "1")).reason())
                    .contains(c.reason());
            harness.getSideOutput(FrameDecoder.REJECTED).clear();
        }
        assertThat(metrics.count(FrameDecoder.ACCEPTED_METRIC)).isZero();
    }

    @Test
    void nonFiniteZeroAndNegativeIntrinsicsAreRejected() throws Exception {
        String[][] cases = {
            {"{\"fx\":NaN,\"fy\":100,\"cx\":32,\"cy\":24}", "malformed ds.intrinsics (not JSON"},
            {"{\"fx\":\"NaN\",\"fy\":100,\"cx\":32,\"cy\":24}", "\"fx\" is not a number"},
            {"{\"fx\":1e400,\"fy\":100,\"cx\":32,\"cy\":24}", "ds.intrinsics rejected: intrinsics are not finite"},
            {"{\"fx\":100,\"fy\":-1e400,\"cx\":32,\"cy\":24}", "ds.intrinsics rejected: intrinsics are not finite"},
            {"{\"fx\":0,\"fy\":100,\"cx\":32,\"cy\":24}", "ds.intrinsics rejected: focal lengths must be in (0, "},
            {"{\"fx\":0.0,\"fy\":0.0,\"cx\":0,\"cy\":0}", "ds.intrinsics rejected: focal lengths"},
            {"{\"fx\":100,\"fy\":-5,\"cx\":32,\"cy\":24}", "ds.intrinsics rejected: focal lengths"},
            {"{\"fx\":1e9,\"fy\":100,\"cx\":32,\"cy\":24}", "ds.intrinsics rejected: focal lengths"},
            {"{\"fx\":100,\"fy\":100,\"cx\":-1e6,\"cy\":24}", "principal point lies far outside"},
            {"null", "not a JSON object"},
        };
        for (String[] c : cases) {
            assertThat(rejectedOnly(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "1", WireFormat.INTRINSICS, c[0]))
                    .reason()).as(c[0]).contains(c[1]);
            harness.getSideOutput(FrameDecoder.REJECTED).clear();
        }
        assertThat(metrics.count(FrameDecoder.REJECTED_METRIC)).isEqualTo(cases.length);
    }

    @Test
    void sequenceNumbersMustBePlainAsciiDecimalsUpTo2To53Minus1() throws Exception {
        String[][] cases = {
            {"-1", "ds.seq must not be negative: -1"},
            {"99999999999999999999", "ds.seq is out of range (at most 9007199254740991): 99999999999999999999"},
            {"9007199254740992", "ds.seq is out of range (at most 9007199254740991): 9007199254740992"},
            {"\u0661\u0662\u0663", "ds.seq is not a decimal integer: \"\u0661\u0662\u0663\""},
            {"+5", "ds.seq is not a decimal integer: \"+5\""},
            {"", "ds.seq is not a decimal integer: \"\""},
            {"1 2", "ds.seq is not a decimal integer: \"1 2\""},
            {"0x10", "ds.seq is not a decimal integer: \"0x10\""},
        };
        for (String[] c : cases) {
            assertThat(rejectedOnly(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, c[0])).reason()).isEqualTo(c[1]);
            harness.getSideOutput(FrameDecoder.REJECTED).clear();
        }
        feed(record("cam", png(), CAPTURE_MS, WireFormat.SEQ, "9007199254740991"));
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(frame -> assertThat(frame.seq()).isEqualTo(FrameDecoder.MAX_SEQ));
    }

    @Test
    void binaryGarbageInHeadersGivesAOneLinePrintableReason() throws Exception {
        byte[] garbage = {'1', '\n', 0, (byte) 0xFF, (byte) 0xFE, '\r', 0x1B, '[', '2', 'J', (byte) 0xE2, (byte) 0x80,
            (byte) 0xA8, '7'};
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireFormat.SEQ, garbage);
        RejectedRecord seq = rejectedOnly(new ConsumerRecord<>("frames", 2, nextOffset++, CAPTURE_MS,
                TimestampType.CREATE_TIME, 0, 0, "cam".getBytes(StandardCharsets.UTF_8), png(), headers,
                Optional.empty()));
        assertThat(seq.reason()).isEqualTo(
                "ds.seq is not a decimal integer: \"1\\u000A\\u0000\\uFFFD\\uFFFD\\u000D\\u001B[2J\\u20287\"");
        harness.getSideOutput(FrameDecoder.REJECTED).clear();

        RecordHeaders nullSeq = new RecordHeaders();
        nullSeq.add(WireFormat.SEQ, null);
        nullSeq.add(WireFormat.INTRINSICS, garbage);
        assertThat(rejectedOnly(new ConsumerRecord<>("frames", 2, nextOffset++, CAPTURE_MS, TimestampType.CREATE_TIME,
                0, 0, "cam".getBytes(StandardCharsets.UTF_8), png(), nullSeq, Optional.empty())).reason())
                .isEqualTo("ds.seq is not a decimal integer: \"\"");
        harness.getSideOutput(FrameDecoder.REJECTED).clear();

        RecordHeaders badIntrinsics = new RecordHeaders();
        badIntrinsics.add(WireFormat.SEQ, "1".getBytes(StandardCharsets.UTF_8));
        badIntrinsics.add(WireFormat.INTRINSICS, garbage);
        assertThat(rejectedOnly(new ConsumerRecord<>("frames", 2, nextOffset++, CAPTURE_MS, TimestampType.CREATE_TIME,
                0, 0, "cam".getBytes(StandardCharsets.UTF_8), png(), badIntrinsics, Optional.empty())).reason())
                .startsWith("malformed ds.intrinsics (not JSON").contains("1\\u000A\\u0000")
                .doesNotContain("\n", "\r", "\u0000", "\u2028");
        harness.getSideOutput(FrameDecoder.REJECTED).clear();

        // a PNG where the intrinsics belong, JSON where the PNG belongs: wrong types in the right places
        RecordHeaders swapped = new RecordHeaders();
        swapped.add(WireFormat.SEQ, "1".getBytes(StandardCharsets.UTF_8));
        swapped.add(WireFormat.INTRINSICS, png());
        assertThat(rejectedOnly(new ConsumerRecord<>("frames", 2, nextOffset++, CAPTURE_MS, TimestampType.CREATE_TIME,
                0, 0, "cam".getBytes(StandardCharsets.UTF_8), png(), swapped, Optional.empty())).reason())
                .startsWith("malformed ds.intrinsics (not JSON").doesNotContain("\u0000");
        harness.getSideOutput(FrameDecoder.REJECTED).clear();
        RecordHeaders jsonSemantic = new RecordHeaders();
        jsonSemantic.add(WireFormat.SEQ, "1".getBytes(StandardCharsets.UTF_8));
        jsonSemantic.add(WireFormat.SEMANTIC, "{\"fx\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(rejectedOnly(new ConsumerRecord<>("frames", 2, nextOffset++, CAPTURE_MS, TimestampType.CREATE_TIME,
                0, 0, "cam".getBytes(StandardCharsets.UTF_8), png(), jsonSemantic, Optional.empty())).reason())
                .isEqualTo("ds.semantic is not a PNG or JPEG image (8 bytes)");
        harness.getSideOutput(FrameDecoder.REJECTED).clear();

        byte[] notUtf8Key = {(byte) 0xC3, (byte) 0x28};
        assertThat(rejectedOnly(new ConsumerRecord<>("frames", 2, nextOffset++, CAPTURE_MS, TimestampType.CREATE_TIME,
                0, 0, notUtf8Key, png(), new RecordHeaders(), Optional.empty())).reason())
                .isEqualTo("record key is not UTF-8 text (2 bytes)");
    }

    @Test
    void aDeadLetterAtTheRecordLimitDropsItsValueAndStillFits() throws Exception {
        RejectedRecordSerializer serializer = new RejectedRecordSerializer(WireFormat.DLQ_TOPIC);
        byte[] key = "cam".getBytes(StandardCharsets.UTF_8);
        // the largest value a frames topic accepts together with its key and ds.seq header: the record is 20 bytes
        // under the limit, and the dead letter's two headers would take it over
        byte[] atLimit = new byte[WireFormat.MAX_RECORD_BYTES - 20 - kafkaSize(new ProducerRecord<>("frames", null,
                null, key, new byte[0], new RecordHeaders().add(WireFormat.SEQ, "1".getBytes(StandardCharsets.UTF_8))))];
        RejectedRecord big = new RejectedRecord(key, atLimit,
                new WireHeader[] {new WireHeader(WireFormat.SEQ, "1".getBytes(StandardCharsets.UTF_8))}, CAPTURE_MS,
                "image is not a PNG or JPEG image (" + atLimit.length + " bytes)", "frames/0/7");
        ProducerRecord<byte[], byte[]> dlq = serializer.serialize(big, null, null);
        assertThat(dlq.value()).isNull();
        assertThat(dlq.key()).isEqualTo(key);
        assertThat(new String(dlq.headers().lastHeader(WireFormat.SEQ).value(), StandardCharsets.UTF_8)).isEqualTo("1");
        String reason = new String(dlq.headers().lastHeader(WireFormat.ERROR).value(), StandardCharsets.UTF_8);
        java.util.regex.Matcher note = java.util.regex.Pattern.compile("image is not a PNG or JPEG image \\(\\d+ bytes\\) "
                + "\\[value not kept: the dead letter would be (\\d+) bytes, over the 4259840-byte record limit]")
                .matcher(reason);
        assertThat(note.matches()).as(reason).isTrue();
        assertThat(Long.parseLong(note.group(1))).isGreaterThan(WireFormat.MAX_RECORD_BYTES);
        assertThat(kafkaSize(dlq)).isLessThanOrEqualTo(WireFormat.MAX_RECORD_BYTES);

        byte[] hugeHeader = new byte[WireFormat.MAX_RECORD_BYTES - 100];
        RejectedRecord bigHeader = new RejectedRecord(key, new byte[10],
                new WireHeader[] {new WireHeader(WireFormat.SEMANTIC, hugeHeader)}, CAPTURE_MS, "bad", "frames/0/8");
        ProducerRecord<byte[], byte[]> dlq2 = serializer.serialize(bigHeader, null, null);
        assertThat(dlq2.headers().lastHeader(WireFormat.SEMANTIC)).isNull();
        assertThat(new String(dlq2.headers().lastHeader(WireFormat.ERROR).value(), StandardCharsets.UTF_8))
                .startsWith("bad [value and headers not kept: the dead letter would be ");
        assertThat(kafkaSize(dlq2)).isLessThanOrEqualTo(WireFormat.MAX_RECORD_BYTES);

        // a record with room for the two headers keeps everything
        byte[] small = new byte[WireFormat.MAX_RECORD_BYTES - 200];
        ProducerRecord<byte[], byte[]> kept = serializer.serialize(new RejectedRecord(key, small, null, CAPTURE_MS,
                "bad", "frames/0/9"), null, null);
        assertThat(kept.value()).isSameAs(small);
        assertThat(kafkaSize(kept)).isLessThanOrEqualTo(WireFormat.MAX_RECORD_BYTES);
    }

    /** The size the Kafka producer checks against {@code max.request.size}. */
    private static int kafkaSize(ProducerRecord<byte[], byte[]> record) {
        return org.apache.kafka.common.record.AbstractRecords.estimateSizeInBytesUpperBound(
                org.apache.kafka.common.record.RecordBatch.CURRENT_MAGIC_VALUE,
                org.apache.kafka.common.record.CompressionType.NONE, record.key(), record.value(),
                record.headers().toArray());
    }
}
