package io.depthstream.operators.sink;

import io.depthstream.model.data.DepthMap;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.inference.DepthResult;
import io.depthstream.operators.inference.StageTimings;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Depth results as records of the {@code depth} topic: key = camera id (UTF-8), value = 16-bit grayscale PNG with
 * round(depth × 256) per pixel (0 = invalid, saturating at 65535), headers {@code ds.seq}, {@code ds.model-version},
 * {@code ds.scale} and {@code ds.latency-ms}; record timestamp = the frame's capture time.
 */
public final class DepthRecordSerializer implements KafkaRecordSerializationSchema<DepthResult> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    /** Records for {@code topic}. */
    public DepthRecordSerializer(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("depth topic must not be blank");
        }
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DepthResult result, KafkaSinkContext context, Long timestamp) {
        long encodeStart = System.nanoTime();
        byte[] png = new DepthMap(result.width(), result.height(), result.depth()).encodeKittiPng();
        long encodeNanos = System.nanoTime() - encodeStart;
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireFormat.SEQ, utf8(Long.toString(result.seq())));
        headers.add(WireFormat.MODEL_VERSION, utf8(result.modelVersion()));
        headers.add(WireFormat.SCALE, utf8(result.scale().wireName()));
        headers.add(WireFormat.LATENCY_MS, utf8(Long.toString(result.latencyMs())));
        StageTimings t = result.timings();
        headers.add(WireFormat.STAGES, utf8(String.format(Locale.ROOT,
                "{\"decode_ms\":%.3f,\"resize_ms\":%.3f,\"queue_ms\":%.3f,\"inference_ms\":%.3f,\"batch\":%d,"
                        + "\"encode_ms\":%.3f,\"emitted_at_ms\":%d}",
                t.decodeNanos() / 1e6, t.resizeNanos() / 1e6, t.queueNanos() / 1e6, t.inferenceNanos() / 1e6,
                t.batchSize(), encodeNanos / 1e6, result.emittedAtMs())));
        return new ProducerRecord<>(topic, null, result.captureTimeMs(), utf8(result.cameraId()), png, headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
