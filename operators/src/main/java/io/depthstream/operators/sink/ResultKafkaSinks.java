package io.depthstream.operators.sink;

import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.inference.DepthResult;
import io.depthstream.operators.learner.ModelUpdate;
import io.depthstream.operators.learner.ModelUpdateSerializer;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Properties;

/**
 * The Kafka sinks of the streaming job: its results ({@code depth} and {@code poses} topics, exactly once) and the
 * learner's {@code model-updates} (at least once). Exactly-once
 * writes in Kafka transactions committed on checkpoints, so the job needs checkpointing on, and readers see
 * results only once a checkpoint completes ({@code isolation.level=read_committed}). Every sink takes the user's
 * Kafka client properties (security, tuning) first; the settings a sink needs to work are set over them.
 */
public final class ResultKafkaSinks {

    /**
     * Producer transaction timeout: the broker's default {@code transaction.max.timeout.ms} (15 minutes); it must
     * exceed the checkpoint interval plus a restart, and must not exceed the broker's maximum.
     */
    public static final int TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000;

    private ResultKafkaSinks() {}

    /** Depth maps to {@code topic} (16-bit PNG values, {@link DepthRecordSerializer}). */
    public static KafkaSink<DepthResult> depth(String bootstrapServers, Properties clientProperties, String topic,
                                               String transactionalIdPrefix) {
        return build(bootstrapServers, clientProperties, new DepthRecordSerializer(topic), transactionalIdPrefix);
    }

    /** Poses to {@code topic} (JSON, {@link PoseRecordSerializer}). */
    public static KafkaSink<DepthResult> poses(String bootstrapServers, Properties clientProperties, String topic,
                                               String transactionalIdPrefix) {
        return build(bootstrapServers, clientProperties, new PoseRecordSerializer(topic), transactionalIdPrefix);
    }

    /**
     * An exactly-once sink of {@code serializer}'s records (the dead letters, for one) with the project's record
     * limit and transaction timeout.
     */
    public static <T> KafkaSink<T> exactlyOnce(String bootstrapServers, Properties clientProperties,
                                               KafkaRecordSerializationSchema<T> serializer,
                                               String transactionalIdPrefix) {
        return build(bootstrapServers, clientProperties, serializer, transactionalIdPrefix);
    }

    /**
     * Model updates to {@code topic} (JSON, {@link ModelUpdateSerializer}), at least once and visible at once: a
     * transactional sink would hold each announcement until the next checkpoint completes, and under back-pressure
     * that can take many seconds. A repeated announcement is harmless (inference ignores a version it is not behind
     * of); an announcement from an epoch lost to a failure names a version that passed the regression guard and
     * stays in the store, so serving it is safe, and the restored learner publishes above it.
     */
    public static KafkaSink<ModelUpdate> modelUpdates(String bootstrapServers, Properties clientProperties,
                                                      String topic) {
        return builder(bootstrapServers, clientProperties, new ModelUpdateSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    private static <T> KafkaSink<T> build(String bootstrapServers, Properties clientProperties,
                                          KafkaRecordSerializationSchema<T> serializer,
                                          String transactionalIdPrefix) {
        if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
            throw new IllegalArgumentException("an exactly-once sink needs a transactional id prefix, unique per sink");
        }
        return builder(bootstrapServers, clientProperties, serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(WireFormat.MAX_RECORD_BYTES))
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(TRANSACTION_TIMEOUT_MS))
                .build();
    }

    private static <T> KafkaSinkBuilder<T> builder(String bootstrapServers, Properties clientProperties,
                                                   KafkaRecordSerializationSchema<T> serializer) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers must not be blank");
        }
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(properties)
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer);
    }
}
