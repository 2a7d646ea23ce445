package io.depthstream.pipeline.job;

import io.depthstream.operators.codec.WireFormat;

import java.util.List;

/**
 * A Kafka topic as the project needs it.
 *
 * @param name the topic's name
 * @param partitions partitions to create it with (an existing topic keeps its own)
 * @param replicationFactor replicas per partition, or {@link #BROKER_DEFAULT_REPLICATION} for the cluster's
 *     {@code default.replication.factor}
 * @param maxMessageBytes the largest record batch the topic must accept ({@code max.message.bytes})
 */
public record TopicSpec(String name, int partitions, short replicationFactor, int maxMessageBytes) {

    /** Leaves the replication factor to the cluster's {@code default.replication.factor}. */
    public static final short BROKER_DEFAULT_REPLICATION = -1;

    public TopicSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a topic needs a name");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least one partition, got " + partitions);
        }
        if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT_REPLICATION) {
            throw new IllegalArgumentException("topic " + name + ": replication factor must be at least 1, got "
                    + replicationFactor);
        }
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("topic " + name + ": max.message.bytes must be positive, got "
                    + maxMessageBytes);
        }
    }

    /** A topic for frame-sized records ({@link WireFormat#MAX_RECORD_BYTES}) with the cluster's replication. */
    public static TopicSpec of(String name, int partitions) {
        return new TopicSpec(name, partitions, BROKER_DEFAULT_REPLICATION, WireFormat.MAX_RECORD_BYTES);
    }

    /**
     * The streaming job's topics under their default names: {@code frames}, {@code depth}, {@code poses} and
     * {@code frames-dlq} with {@code partitions} partitions, {@code model-updates} with one (every subtask reads
     * all updates in order). All accept frame-sized records: depth maps and rejected frames are as large as frames.
     */
    public static List<TopicSpec> streamingTopics(int partitions, short replicationFactor) {
        int max = WireFormat.MAX_RECORD_BYTES;
        return List.of(
                new TopicSpec(WireFormat.FRAMES_TOPIC, partitions, replicationFactor, max),
                new TopicSpec(WireFormat.DEPTH_TOPIC, partitions, replicationFactor, max),
                new TopicSpec(WireFormat.POSES_TOPIC, partitions, replicationFactor, max),
                new TopicSpec(WireFormat.DLQ_TOPIC, partitions, replicationFactor, max),
                new TopicSpec(WireFormat.MODEL_UPDATES_TOPIC, 1, replicationFactor, max));
    }
}
