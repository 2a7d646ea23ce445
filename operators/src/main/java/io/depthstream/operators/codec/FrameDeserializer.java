package io.depthstream.operators.codec;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.util.ArrayList;
import java.util.List;

/**
 * Kafka deserialisation of the {@code frames} topic into {@link IncomingFrame}s. It copies the record and never
 * fails: validation happens in {@link FrameDecoder}, where a bad record can go to a side output, which a
 * deserialisation schema cannot do.
 */
public final class FrameDeserializer implements KafkaRecordDeserializationSchema<IncomingFrame> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IncomingFrame> out) {
        out.collect(toIncoming(record, System.currentTimeMillis()));
    }

    /** The record as an {@link IncomingFrame} read at {@code receivedAtMs}. */
    public static IncomingFrame toIncoming(ConsumerRecord<byte[], byte[]> record, long receivedAtMs) {
        List<WireHeader> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(new WireHeader(header.key(), header.value()));
        }
        return new IncomingFrame(record.key(), record.value(), headers.toArray(new WireHeader[0]),
                record.timestamp(), record.topic(), record.partition(), record.offset(), receivedAtMs);
    }

    @Override
    public TypeInformation<IncomingFrame> getProducedType() {
        return TypeInformation.of(IncomingFrame.class);
    }
}
