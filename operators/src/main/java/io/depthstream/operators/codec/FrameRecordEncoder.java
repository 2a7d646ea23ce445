package io.depthstream.operators.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.geometry.Intrinsics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Builds the Kafka record of one camera frame on the {@code frames} topic (DESIGN.md, "Kafka wire format"): key =
 * camera id (UTF-8), value = the encoded image as given, headers {@code ds.seq}, {@code ds.intrinsics} and
 * {@code ds.semantic}, record timestamp = capture time.
 */
public final class FrameRecordEncoder implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Room left in a record for the key, the headers other than the semantic map, and Kafka's own framing. */
    private static final int RECORD_OVERHEAD_BYTES = 4 * 1024;

    private final String topic;

    /** An encoder for the default {@code frames} topic. */
    public FrameRecordEncoder() {
        this(WireFormat.FRAMES_TOPIC);
    }

    /** An encoder for records on {@code topic}. */
    public FrameRecordEncoder(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a frame record needs a topic");
        }
        this.topic = topic;
    }

    /** The topic the records are addressed to. */
    public String topic() {
        return topic;
    }

    /**
     * The record of one frame.
     *
     * @param cameraId the camera, non-empty (the record key: one camera's frames stay in one partition, in order)
     * @param seq the camera's frame sequence number, not negative
     * @param captureTimeMs capture time, epoch milliseconds, not negative (the record timestamp)
     * @param intrinsics pinhole intrinsics in pixels of {@code image}, or null to leave the header out (readers
     *     then assume KITTI's normalised K)
     * @param image PNG or JPEG bytes, sent as they are
     * @param semanticPng PNG of uint8 class ids at the size of {@code image}, or null
     * @throws IllegalArgumentException when an argument breaks the wire format or the record would exceed
     *     {@link WireFormat#MAX_RECORD_BYTES}
     */
    public ProducerRecord<byte[], byte[]> encode(String cameraId, long seq, long captureTimeMs, Intrinsics intrinsics,
            byte[] image, byte[] semanticPng) {
        if (cameraId == null || cameraId.isEmpty()) {
            throw new IllegalArgumentException("a frame record needs a camera id");
        }
        String frame = "frame " + seq + " of camera " + cameraId;
        if (seq < 0) {
            throw new IllegalArgumentException(frame + ": sequence numbers must not be negative");
        }
        if (captureTimeMs < 0) {
            throw new IllegalArgumentException(frame + ": capture time must not be negative, got " + captureTimeMs);
        }
        if (image == null || !(isPng(image) || isJpeg(image))) {
            throw new IllegalArgumentException(frame + ": the image must be PNG or JPEG bytes");
        }
        if (semanticPng != null && !isPng(semanticPng)) {
            throw new IllegalArgumentException(frame + ": the semantic map must be a PNG");
        }
        byte[] key = cameraId.getBytes(StandardCharsets.UTF_8);
        long size = (long) image.length + (semanticPng == null ? 0 : semanticPng.length) + key.length;
        if (size + RECORD_OVERHEAD_BYTES > WireFormat.MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(frame + " is " + size + " bytes, more than the "
                    + (WireFormat.MAX_RECORD_BYTES - RECORD_OVERHEAD_BYTES) + " a frame record may carry");
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireFormat.SEQ, Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
        if (intrinsics != null) {
            headers.add(WireFormat.INTRINSICS, intrinsicsJson(intrinsics).getBytes(StandardCharsets.UTF_8));
        }
        if (semanticPng != null) {
            headers.add(WireFormat.SEMANTIC, semanticPng);
        }
        return new ProducerRecord<>(topic, null, captureTimeMs, key, image, headers);
    }

    /** The {@code ds.intrinsics} header text: {@code {"fx":…,"fy":…,"cx":…,"cy":…}}. */
    public static String intrinsicsJson(Intrinsics intrinsics) {
        double[] values = {intrinsics.fx(), intrinsics.fy(), intrinsics.cx(), intrinsics.cy()};
        for (double value : values) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("intrinsics must be finite: " + intrinsics);
            }
        }
        if (intrinsics.fx() <= 0 || intrinsics.fy() <= 0) {
            throw new IllegalArgumentException("focal lengths must be positive: " + intrinsics);
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("fx", intrinsics.fx());
        node.put("fy", intrinsics.fy());
        node.put("cx", intrinsics.cx());
        node.put("cy", intrinsics.cy());
        return node.toString();
    }

    private static boolean isPng(byte[] bytes) {
        if (bytes.length < PNG_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (bytes[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isJpeg(byte[] bytes) {
        return bytes.length >= 3 && bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xD8 && bytes[2] == (byte) 0xFF;
    }
}
