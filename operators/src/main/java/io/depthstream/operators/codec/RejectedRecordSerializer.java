package io.depthstream.operators.codec;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka serialisation of {@link RejectedRecord}s for the dead-letter topic: the original key, value, timestamp and
 * headers, plus {@code ds.error} and {@code ds.source} (earlier values of those two are replaced, so a record
 * rejected twice states only the latest reason).
 *
 * <p>A dead letter must fit the same {@link WireFormat#MAX_RECORD_BYTES} as the record it copies, yet it carries
 * two more headers: a record already at the limit would fail the sink, and with it the job. Such a record keeps
 * its key, timestamp and reason, loses its value (and, if still too large, its original headers, then its key), and
 * {@code ds.error} says what was left out.
 */
public final class RejectedRecordSerializer implements KafkaRecordSerializationSchema<RejectedRecord> {

    private static final long serialVersionUID = 1L;

    /** Upper bound of Kafka's framing around one record in its own batch (61-byte batch header, varints). */
    static final int FRAMING_BYTES = 1024;

    private final String topic;

    /** Serialiser writing to {@code topic} (normally {@link WireFormat#DLQ_TOPIC}). */
    public RejectedRecordSerializer(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("the dead-letter topic name must not be empty");
        }
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(RejectedRecord rejected, KafkaSinkContext context, Long timestamp) {
        List<WireHeader> kept = new ArrayList<>();
        for (WireHeader header : rejected.headers()) {
            if (!header.name().equals(WireFormat.ERROR) && !header.name().equals(WireFormat.SOURCE)) {
                kept.add(header);
            }
        }
        byte[] key = rejected.key();
        byte[] value = rejected.value();
        String reason = rejected.reason();
        byte[] source = rejected.source().getBytes(StandardCharsets.UTF_8);
        long ours = FRAMING_BYTES + headerBytes(WireFormat.SOURCE, source)
                + headerBytes(WireFormat.ERROR, (reason + LEFT_OUT_NOTE).getBytes(StandardCharsets.UTF_8));
        long headerBytes = 0;
        for (WireHeader header : kept) {
            headerBytes += headerBytes(header.name(), header.value());
        }
        long original = length(key) + headerBytes + length(value);
        if (ours + original > WireFormat.MAX_RECORD_BYTES) {
            // what is left out goes in this order: the value (the usual culprit), the headers, the key
            String leftOut = "value";
            value = null;
            if (ours + length(key) + headerBytes > WireFormat.MAX_RECORD_BYTES) {
                kept.clear();
                leftOut = "value and headers";
                if (ours + length(key) > WireFormat.MAX_RECORD_BYTES) {
                    key = null;
                    leftOut = "key, value and headers";
                }
            }
            reason = reason + " [" + leftOut + " not kept: the " + original + "-byte record would exceed the "
                    + WireFormat.MAX_RECORD_BYTES + "-byte limit]";
        }
        RecordHeaders headers = new RecordHeaders();
        for (WireHeader header : kept) {
            headers.add(header.name(), header.value());
        }
        headers.add(WireFormat.ERROR, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(WireFormat.SOURCE, source);
        Long recordTimestamp = rejected.timestampMs() >= 0 ? rejected.timestampMs() : null;
        return new ProducerRecord<>(topic, null, recordTimestamp, key, value, headers);
    }

    /** Room kept in {@code ds.error} for saying what was left out. */
    private static final String LEFT_OUT_NOTE =
            " [key, value and headers not kept: the 9999999999-byte record would exceed the 9999999999-byte limit]";

    private static long headerBytes(String name, byte[] value) {
        // a header costs its name and value plus two varint lengths (at most 5 bytes each)
        return name.getBytes(StandardCharsets.UTF_8).length + length(value) + 10L;
    }

    private static long length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
