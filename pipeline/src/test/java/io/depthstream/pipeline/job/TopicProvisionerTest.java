package io.depthstream.pipeline.job;

import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.operators.codec.WireFormat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicProvisionerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void createsMissingTopicsWithTheirPartitionsAndRecordLimit() throws Exception {
        List<TopicStatus> statuses = TopicProvisioner.ensure(kafka.bootstrapServers(),
                TopicSpec.streamingTopics(3, (short) 1), TIMEOUT);

        assertThat(statuses).extracting(TopicStatus::name).containsExactly(WireFormat.FRAMES_TOPIC,
                WireFormat.DEPTH_TOPIC, WireFormat.POSES_TOPIC, WireFormat.DLQ_TOPIC, WireFormat.MODEL_UPDATES_TOPIC);
        assertThat(statuses).allSatisfy(status -> {
            assertThat(status.created()).isTrue();
            assertThat(status.ok()).isTrue();
            assertThat(status.maxMessageBytes()).isEqualTo(WireFormat.MAX_RECORD_BYTES);
        });
        assertThat(statuses).extracting(TopicStatus::partitions).containsExactly(3, 3, 3, 3, 1);

        // what the cluster itself says, not what the provisioner reports
        assertThat(admin.describeTopics(List.of(WireFormat.FRAMES_TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(WireFormat.FRAMES_TOPIC).partitions()).hasSize(3);
        assertThat(topicMaxMessageBytes(WireFormat.FRAMES_TOPIC)).isEqualTo(Integer.toString(WireFormat.MAX_RECORD_BYTES));
        assertThat(topicMaxMessageBytes(WireFormat.MODEL_UPDATES_TOPIC))
                .isEqualTo(Integer.toString(WireFormat.MAX_RECORD_BYTES));

        List<TopicStatus> again = TopicProvisioner.ensure(kafka.bootstrapServers(),
                TopicSpec.streamingTopics(3, (short) 1), TIMEOUT);
        assertThat(again).noneMatch(TopicStatus::created).allMatch(TopicStatus::ok);
        assertThat(again).extracting(TopicStatus::partitions).containsExactly(3, 3, 3, 3, 1);
    }

    @Test
    void leavesExistingTopicsAsTheyAreAndSaysWhenTheirLimitIsTooSmall() throws Exception {
        admin.createTopics(List.of(new NewTopic("small-frames", 2, (short) 1)
                        .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000000"))))
                .all().get(30, TimeUnit.SECONDS);

        List<TopicStatus> statuses = new TopicProvisioner(admin, TIMEOUT).ensure(List.of(
                TopicSpec.of("small-frames", 6), TopicSpec.of("fresh-frames", 5)));

        TopicStatus small = statuses.get(0);
        assertThat(small.created()).isFalse();
        assertThat(small.partitions()).isEqualTo(2);
        assertThat(small.maxMessageBytes()).isEqualTo(1_000_000);
        assertThat(small.ok()).isFalse();
        assertThat(small.problem()).contains("small-frames", "1000000", Integer.toString(WireFormat.MAX_RECORD_BYTES));
        assertThat(topicMaxMessageBytes("small-frames")).isEqualTo("1000000");
        assertThat(admin.describeTopics(List.of("small-frames")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("small-frames").partitions()).hasSize(2);

        TopicStatus fresh = statuses.get(1);
        assertThat(fresh.created()).isTrue();
        assertThat(fresh.partitions()).isEqualTo(5);
        assertThat(fresh.ok()).isTrue();
    }

    @Test
    void anImpossibleReplicationFactorIsAClearError() {
        assertThatThrownBy(() -> new TopicProvisioner(admin, TIMEOUT).ensure(List.of(
                new TopicSpec("replicated", 1, (short) 3, WireFormat.MAX_RECORD_BYTES))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("create topic replicated")
                .hasMessageContaining("replication factor");
    }

    private static String topicMaxMessageBytes(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        return config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value();
    }
}
