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
                new Case(record("cam", null, CAPTURE_MS, WireFormat.SEQ, "1"), "image is empty (0 bytes)"),
                new Case(record("cam", pngHeaderOnly(0, 10), CAPTURE_MS, WireFormat.SEQ, "1"), "image has zero size: 0x10"),
                new Case(record("cam", pngHeaderOnly(100_000, 100_000), CAPTURE_MS, WireFormat.SEQ, "1"),
                        "image is too large: 100000x100000 exceeds 16777216 pixels"),
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
}
