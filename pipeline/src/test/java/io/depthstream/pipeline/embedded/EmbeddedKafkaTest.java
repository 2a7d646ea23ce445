package io.depthstream.pipeline.embedded;

import io.depthstream.operators.codec.WireFormat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedKafkaTest {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A job's first checkpoint commits offsets at once: the group coordinators must be up when start() returns. */
    @Test
    void startReturnsWithEveryGroupCoordinatorLoaded() throws Exception {
        try (EmbeddedKafka fresh = EmbeddedKafka.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fresh.bootstrapServers()))) {
            TopicDescription offsets = admin.describeTopics(Set.of("__consumer_offsets")).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get("__consumer_offsets");

            assertThat(offsets.partitions()).hasSize(4).allSatisfy(p -> assertThat(p.leader()).isNotNull());
        }
    }

    @Test
    void readinessGroupsCoverEveryOffsetsPartition() {
        List<String> groups = EmbeddedKafka.groupsCoveringPartitions(4);

        assertThat(groups).hasSize(4);
        for (int partition = 0; partition < 4; partition++) {
            assertThat(Math.abs(groups.get(partition).hashCode()) % 4).isEqualTo(partition);
        }
    }

    @Test
    void aThreeMegabyteRecordRoundTrips() throws Exception {
        String topic = "big-records";
        createTopic(topic);
        byte[] value = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(value);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(Map.of()))) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "cam".getBytes(StandardCharsets.UTF_8), value))
                    .get(30, TimeUnit.SECONDS);
            assertThat(sent.serializedValueSize()).isEqualTo(value.length);
        }
        List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, "read_uncommitted", 1);
        assertThat(records).hasSize(1);
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("cam");
        assertThat(records.get(0).value()).isEqualTo(value);
    }

    @Test
    void transactionalProducerCommitsAndReadCommittedConsumerSeesOnlyCommitted() throws Exception {
        String topic = "transactions";
        createTopic(topic);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-test")))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("aborted")));
            // on the broker's log before the abort, so read_committed has something to hide
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("committed-1")));
            producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("committed-2")));
            producer.commitTransaction();
        }
        List<String> committed = readAll(topic, "read_committed", 2).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertThat(committed).containsExactly("committed-1", "committed-2");
        List<String> everything = readAll(topic, "read_uncommitted", 3).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertThat(everything).containsExactly("aborted", "committed-1", "committed-2");
    }

    @Test
    void closeShutsDownDeletesTheDirectoryAndLeavesNoThreads() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        EmbeddedKafka second = EmbeddedKafka.start(Map.of("num.partitions", "3"));
        Path directory = second.directory();
        assertThat(directory).isDirectory();
        assertThat(second.bootstrapServers()).isNotEqualTo(kafka.bootstrapServers());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, second.bootstrapServers()))) {
            assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(second.clusterId());
            assertThat(brokerConfig(admin).get("num.partitions").value()).isEqualTo("3");
        }
        second.close();
        assertThat(second.isRunning()).isFalse();
        assertThat(Files.exists(directory)).isFalse();
        second.close();

        List<String> leftBehind = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            leftBehind.clear();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.isAlive() && !before.contains(thread)) {
                    leftBehind.add(thread.getName());
                }
            }
            if (leftBehind.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertThat(leftBehind).as("threads started by the broker and still alive after close()").isEmpty();
    }

    @Test
    void aStoppedBrokerRestartsOnItsPortsWithItsRecordsAndRefusesClientsMeanwhile() throws Exception {
        EmbeddedKafka broker = EmbeddedKafka.start();
        try {
            String topic = "survives-restart";
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> producerConfig = new HashMap<>(producerConfig(Map.of()));
            producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
                producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("before"))).get(30, TimeUnit.SECONDS);
            }
            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            assertThatThrownBy(broker::stop).isInstanceOf(IllegalStateException.class);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers(), AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000))) {
                assertThatThrownBy(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS))
                        .as("a stopped broker answers no client").isNotNull();
            }

            broker.restart();
            assertThat(broker.isRunning()).isTrue();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
                producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("after"))).get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> consumerConfig = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
                TopicPartition partition = new TopicPartition(topic, 0);
                consumer.assign(List.of(partition));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (values.size() < 2 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200))
                            .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
                }
            }
            assertThat(values).containsExactly("before", "after");
            assertThatThrownBy(broker::restart).isInstanceOf(IllegalStateException.class);
        } finally {
            broker.close();
        }
        assertThat(Files.exists(broker.directory())).isFalse();
    }

    @Test
    void brokerSettingsSuitFramesAndASingleNode() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Config config = brokerConfig(admin);
            assertThat(Integer.parseInt(config.get("message.max.bytes").value()))
                    .isGreaterThanOrEqualTo(WireFormat.MAX_RECORD_BYTES);
            assertThat(Integer.parseInt(config.get("replica.fetch.max.bytes").value()))
                    .isGreaterThanOrEqualTo(WireFormat.MAX_RECORD_BYTES);
            assertThat(config.get("offsets.topic.replication.factor").value()).isEqualTo("1");
            assertThat(config.get("transaction.state.log.replication.factor").value()).isEqualTo("1");
            assertThat(config.get("transaction.state.log.min.isr").value()).isEqualTo("1");
            assertThat(config.get("log.retention.ms").value()).as("no time retention: records carry capture times")
                    .isEqualTo("-1");
            assertThat(Long.parseLong(config.get("transaction.max.timeout.ms").value()))
                    .isGreaterThanOrEqualTo(TimeUnit.HOURS.toMillis(1));
        }
        assertThatThrownBy(() -> EmbeddedKafka.start(Map.of("listeners", "PLAINTEXT://0.0.0.0:9092")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sets listeners itself");
    }

    private static Config brokerConfig(Admin admin) throws Exception {
        int node = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().id();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(node));
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                            .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(WireFormat.MAX_RECORD_BYTES)))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Object> producerConfig(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES,
                ProducerConfig.ACKS_CONFIG, "all"));
        config.putAll(extra);
        return config;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolation, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, WireFormat.MAX_RECORD_BYTES,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // a last poll: anything beyond what was expected would show up here
            consumer.poll(Duration.ofMillis(300)).forEach(records::add);
        }
        return records;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
