package io.depthstream.operators.learner;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code model-updates} record: its JSON, key and timestamp, and the way back through the deserialiser. */
class ModelUpdateSerializationTest {

    private static final Instant CREATED = Instant.parse("2025-06-01T12:00:00.123Z");

    private static List<ModelUpdate> deserialize(byte[] value) {
        List<ModelUpdate> out = new ArrayList<>();
        new ModelUpdateDeserializer().deserialize(
                new ConsumerRecord<>("model-updates", 0, 17L, ModelUpdateSerializer.KEY.getBytes(StandardCharsets.UTF_8),
                        value), new ListCollector<>(out));
        return out;
    }

    @Test
    void aPublishedVersionIsAnnouncedAsTheDocumentedRecord() {
        PublishedVersion published = new PublishedVersion(3, "s3://bucket/models/v3",
                new VersionMetrics(1200, 0.125, Double.NaN, CREATED, 2, null, Map.of("abs_rel", 0.25)));

        ProducerRecord<byte[], byte[]> record =
                new ModelUpdateSerializer("model-updates").serialize(ModelUpdate.of(published), null, null);

        assertThat(record.topic()).isEqualTo("model-updates");
        assertThat(record.partition()).isNull();
        assertThat(record.timestamp()).isEqualTo(CREATED.toEpochMilli());
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("model");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"version\":\"v3\",\"weights_uri\":\"s3://bucket/models/v3\",\"step\":1200,"
                        + "\"created\":\"2025-06-01T12:00:00.123Z\","
                        + "\"validation\":{\"held_out_loss\":0.125,\"abs_rel\":0.25}}");
    }

    @Test
    void anUpdateRoundTripsThroughSerializerAndDeserializer() {
        ModelUpdate update = new ModelUpdate("v12", "file:/var/models/v12", 4800, CREATED.plusNanos(456),
                Map.of("held_out_loss", 0.0625, "train_loss", 0.07));

        byte[] value = new ModelUpdateSerializer("model-updates").serialize(update, null, null).value();

        assertThat(deserialize(value)).containsExactly(update);
        assertThat(deserialize(value).get(0).versionNumber()).isEqualTo(12);
    }

    @Test
    void recordsThatAreNotUpdatesAreSkippedNotFatal() {
        for (String bad : List.of("not json", "[]", "{}",
                "{\"version\":\"latest\",\"weights_uri\":\"file:/m/v1\",\"step\":1,\"created\":\"2025-06-01T12:00:00Z\"}",
                "{\"version\":\"v1\",\"weights_uri\":\"\",\"step\":1,\"created\":\"2025-06-01T12:00:00Z\"}",
                "{\"version\":\"v1\",\"weights_uri\":\"file:/m/v1\",\"step\":-1,\"created\":\"2025-06-01T12:00:00Z\"}",
                "{\"version\":\"v1\",\"weights_uri\":\"file:/m/v1\",\"step\":1,\"created\":\"noon\"}")) {
            assertThat(deserialize(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isEmpty();
        }
        assertThat(deserialize(null)).isEmpty();
    }

    @Test
    void anUpdateNeedsAVersionNameAndABlankTopicIsRejected() {
        assertThatThrownBy(() -> new ModelUpdate("3", "file:/m/v3", 0, CREATED, Map.of()))
                .hasMessageContaining("v<N>");
        assertThatThrownBy(() -> new ModelUpdateSerializer(" ")).hasMessageContaining("topic");
    }
}
