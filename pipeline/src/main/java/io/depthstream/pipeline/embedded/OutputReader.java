package io.depthstream.pipeline.embedded;

import io.depthstream.operators.codec.WireFormat;
import io.depthstream.pipeline.kafka.KafkaClientProperties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntConsumer;

/**
 * Reads the streaming job's output topics from the beginning with {@code read_committed}, so it sees exactly what
 * the exactly-once sinks committed.
 */
public final class OutputReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String depthTopic;
    private final String posesTopic;
    private final List<OutputRecords.DepthRecord> depth = new ArrayList<>();
    private final List<String> poses = new ArrayList<>();
    private final List<String> rejected = new ArrayList<>();

    /** Reads every partition of the three topics from the beginning (they must exist), with a plaintext client. */
    public OutputReader(String bootstrap, String depthTopic, String posesTopic, String dlqTopic) {
        this(bootstrap, KafkaClientProperties.none(), depthTopic, posesTopic, dlqTopic);
    }

    /**
     * Reads every partition of the three topics from the beginning (they must exist), with a consumer taking the
     * client {@code clientProperties} (security, tuning).
     */
    public OutputReader(String bootstrap, KafkaClientProperties clientProperties, String depthTopic,
                        String posesTopic, String dlqTopic) {
        Properties properties = new Properties();
        properties.putAll(clientProperties.consumer(Map.of()));
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, WireFormat.MAX_RECORD_BYTES);
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.depthTopic = depthTopic;
        this.posesTopic = posesTopic;
        // Assigned partitions, no consumer group: a group's position is lost when the broker restarts before the
        // group commits, and a new assignment would start from the beginning again and read every record twice.
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(depthTopic, posesTopic, dlqTopic)) {
            for (PartitionInfo partition : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, partition.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * Reads until at least {@code depthResults} depth records and as many poses are in, or the time is up.
     *
     * @param progress told the number of depth records after every poll that brought some
     * @return everything read so far (also when the time ran out: the caller compares the counts)
     */
    public OutputRecords readUntil(int depthResults, Duration timeout, IntConsumer progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((depth.size() < depthResults || poses.size() < depthResults) && System.nanoTime() < deadline) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
            for (ConsumerRecord<byte[], byte[]> record : records) {
                take(record);
            }
            if (!records.isEmpty()) {
                progress.accept(depth.size());
            }
        }
        return snapshot();
    }

    /** Reads whatever arrives within {@code quiet} more (late duplicates, dead letters) and returns everything. */
    public OutputRecords drain(Duration quiet) {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                take(record);
            }
        }
        return snapshot();
    }

    private OutputRecords snapshot() {
        return new OutputRecords(List.copyOf(depth), List.copyOf(poses), List.copyOf(rejected));
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().equals(depthTopic)) {
            depth.add(new OutputRecords.DepthRecord(
                    record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8),
                    Long.parseLong(header(record, WireFormat.SEQ, "-1")),
                    header(record, WireFormat.MODEL_VERSION, ""),
                    header(record, WireFormat.SCALE, ""),
                    Long.parseLong(header(record, WireFormat.LATENCY_MS, "-1")),
                    record.value(),
                    header(record, WireFormat.STAGES, "{}"),
                    record.timestamp()));
        } else if (record.topic().equals(posesTopic)) {
            poses.add(new String(record.value(), StandardCharsets.UTF_8));
        } else {
            rejected.add(header(record, WireFormat.ERROR, "(no reason given)"));
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name, String absent) {
        Header header = record.headers().lastHeader(name);
        return header == null ? absent : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
