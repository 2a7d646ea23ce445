package io.depthstream.operators.learner;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * {@link ModelUpdate}s as records of the {@code model-updates} topic: value = the update's JSON, record timestamp =
 * its creation time, key = the constant {@link #KEY}. The topic belongs to no camera; one key for every update
 * keeps them in one partition, in publication order, however many partitions the topic is given, and lets a
 * compacted topic keep exactly the newest update for a subtask that starts later.
 */
public final class ModelUpdateSerializer implements KafkaRecordSerializationSchema<ModelUpdate> {

    /** The key of every model update. */
    public static final String KEY = "model";

    private static final long serialVersionUID = 1L;
    private static final byte[] KEY_BYTES = KEY.getBytes(StandardCharsets.UTF_8);

    private final String topic;

    /** Records for {@code topic} (normally {@link io.depthstream.operators.codec.WireFormat#MODEL_UPDATES_TOPIC}). */
    public ModelUpdateSerializer(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("model-updates topic must not be blank");
        }
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ModelUpdate update, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, update.created().toEpochMilli(), KEY_BYTES.clone(), update.toJson());
    }
}
