package io.depthstream.operators.codec;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

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
 *
 * <p>Frames are personal data (faces, number plates): a serialiser built not to keep values writes every dead
 * letter without its value, so only the key, headers and reason persist on the dead-letter topic.
 */
public final class RejectedRecordSerializer implements KafkaRecordSerializationSchema<RejectedRecord> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final boolean keepValue;

    /** Serialiser writing to {@code topic} (normally {@link WireFormat#DLQ_TOPIC}), values kept. */
    public RejectedRecordSerializer(String topic) {
        this(topic, true);
    }

    /** Serialiser writing to {@code topic}; without {@code keepValue} no dead letter carries its record's value. */
    public RejectedRecordSerializer(String topic, boolean keepValue) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("the dead-letter topic name must not be empty");
        }
        this.topic = topic;
        this.keepValue = keepValue;
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
        byte[] value = keepValue ? rejected.value() : null;
        byte[] source = rejected.source().getBytes(StandardCharsets.UTF_8);
        String reason = keepValue || rejected.value() == null ? rejected.reason()
                : rejected.reason() + " [value of " + rejected.value().length
                        + " bytes not kept: kafka.dlq-value is drop]";
        long original = size(key, value, kept, reason, source);
        if (original > WireFormat.MAX_RECORD_BYTES) {
            // what is left out goes in this order: the value (the usual culprit), the headers, the key; the size
            // is checked with the note about it included
            String leftOut = "value";
            value = null;
            if (size(key, null, kept, note(reason, "value and headers", original), source)
                    > WireFormat.MAX_RECORD_BYTES) {
                kept.clear();
                leftOut = "value and headers";
                if (size(key, null, kept, note(reason, "key, value and headers", original), source)
                        > WireFormat.MAX_RECORD_BYTES) {
                    key = null;
                    leftOut = "key, value and headers";
                }
            }
            reason = note(reason, leftOut, original);
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

    private static String note(String reason, String leftOut, long size) {
        return reason + " [" + leftOut + " not kept: the dead letter would be " + size + " bytes, over the "
                + WireFormat.MAX_RECORD_BYTES + "-byte record limit]";
    }

    /** The size the Kafka producer checks against {@code max.request.size}: the record alone in its batch. */
    static long size(byte[] key, byte[] value, List<WireHeader> kept, String reason, byte[] source) {
        Header[] headers = new Header[kept.size() + 2];
        for (int i = 0; i < kept.size(); i++) {
            headers[i] = new RecordHeader(kept.get(i).name(), kept.get(i).value());
        }
        headers[kept.size()] = new RecordHeader(WireFormat.ERROR, reason.getBytes(StandardCharsets.UTF_8));
        headers[kept.size() + 1] = new RecordHeader(WireFormat.SOURCE, source);
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, headers);
    }
}
