package io.depthstream.operators.codec;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * Kafka serialisation of {@link RejectedRecord}s for the dead-letter topic: the original key, value, timestamp and
 * headers, plus {@code ds.error} and {@code ds.source} (earlier values of those two are replaced, so a record
 * rejected twice states only the latest reason).
 */
public final class RejectedRecordSerializer implements KafkaRecordSerializationSchema<RejectedRecord> {

    private static final long serialVersionUID = 1L;

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
        RecordHeaders headers = new RecordHeaders();
        for (WireHeader header : rejected.headers()) {
            if (!header.name().equals(WireFormat.ERROR) && !header.name().equals(WireFormat.SOURCE)) {
                headers.add(header.name(), header.value());
            }
        }
        headers.add(WireFormat.ERROR, rejected.reason().getBytes(StandardCharsets.UTF_8));
        headers.add(WireFormat.SOURCE, rejected.source().getBytes(StandardCharsets.UTF_8));
        Long recordTimestamp = rejected.timestampMs() >= 0 ? rejected.timestampMs() : null;
        return new ProducerRecord<>(topic, null, recordTimestamp, rejected.key(), rejected.value(), headers);
    }
}
