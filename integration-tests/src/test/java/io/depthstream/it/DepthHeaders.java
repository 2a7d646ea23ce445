package io.depthstream.it;

import io.depthstream.operators.codec.WireFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Reads the depth topic with {@code read_committed} and keeps only each record's camera, seq, model version and
 * latency: a long run's results, not their PNGs, so that the reader's own memory stays out of heap measurements.
 */
final class DepthHeaders implements AutoCloseable {

    /** One depth record's identity, the version that computed it and its {@code ds.latency-ms}. */
    record Result(String camera, long seq, String version, long latencyMs) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Result> results = new ArrayList<>();

    /** Subscribes to {@code topic} from its beginning. */
    DepthHeaders(String bootstrap, String topic) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "depth-headers-" + UUID.randomUUID());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, WireFormat.MAX_RECORD_BYTES);
        consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Reads until {@code done} holds for the results so far or the time is up; returns whether it holds. */
    boolean readUntil(Predicate<List<Result>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(results)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                results.add(new Result(new String(record.key(), StandardCharsets.UTF_8),
                        Long.parseLong(header(record, WireFormat.SEQ)), header(record, WireFormat.MODEL_VERSION),
                        Long.parseLong(header(record, WireFormat.LATENCY_MS))));
            }
        }
        return true;
    }

    /** Reads until at least {@code count} results are in or the time is up; returns whether they are. */
    boolean readAtLeast(int count, Duration timeout) {
        return readUntil(r -> r.size() >= count, timeout);
    }

    /** Every result read so far, in the order read. */
    List<Result> results() {
        return List.copyOf(results);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null) {
            throw new IllegalStateException("depth record " + record.partition() + "/" + record.offset()
                    + " has no " + name + " header");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
