package io.depthstream.pipeline.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaPropertiesConfigTest {

    private static final String SECURED = """
            kafka:
              bootstrap: kafka-1:9093
              dlq-value: drop
              properties:
                security.protocol: SASL_SSL
                sasl.mechanism: SCRAM-SHA-512
                sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required username="job" password="pw-93be1";
                ssl.truststore.password: ${file:/etc/depthstream/kafka-secrets.properties:ssl.truststore.password}
                request.timeout.ms: 20000
                config.providers: file
                config.providers.file.class: org.apache.kafka.common.config.provider.FileConfigProvider
            model:
              init: random
            """;

    @Test
    void kafkaPropertiesAreAMapOfTextValuesAndTheDeadLetterSettingIsTyped() {
        StreamingConfig config = ConfigFiles.parse(SECURED);

        assertThat(config.kafka().properties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("request.timeout.ms", "20000").hasSize(7);
        assertThat(config.kafka().dlqKeepsValue()).isFalse();
        assertThat(config.problem()).isNull();
        assertThat(StreamingConfig.defaults().kafka().properties()).isEmpty();
        assertThat(StreamingConfig.defaults().kafka().dlqKeepsValue()).isTrue();
    }

    @Test
    void badPropertiesAndSettingsAreOneLineNamingTheKey() {
        assertThatThrownBy(() -> ConfigFiles.parse("kafka:\n  properties:\n    ssl:\n      truststore: x\n"))
                .hasMessageStartingWith("kafka.properties.ssl: expected a text value, got a mapping");
        assertThat(ConfigFiles.parse("kafka:\n  properties:\n    sasl.mechansim: PLAIN\nmodel:\n  init: random\n")
                .problem()).isEqualTo("kafka.properties.sasl.mechansim is not a Kafka producer, consumer or admin "
                        + "client property");
        assertThat(ConfigFiles.parse("kafka:\n  dlq-value: none\nmodel:\n  init: random\n").problem())
                .isEqualTo("kafka.dlq-value must be keep or drop, got 'none'");
    }

    @Test
    void printingRedactsInlineSecretsNamesThemAndKeepsReferences() {
        String printed = ConfigFiles.print(ConfigFiles.parse(SECURED));

        assertThat(printed).doesNotContain("pw-93be1")
                .contains("# kafka.properties.sasl.jaas.config holds a secret inline, printed [redacted]: keep it in "
                        + "a file and refer to it")
                .contains("${file:/etc/depthstream/kafka-secrets.properties:ssl.truststore.password}")
                .doesNotContain("# kafka.properties.ssl.truststore.password");
        // what is printed reads back, and the placeholder is refused rather than sent to the broker
        StreamingConfig reread = ConfigFiles.parse(printed);
        assertThat(reread.kafka().properties().get("ssl.truststore.password"))
                .isEqualTo("${file:/etc/depthstream/kafka-secrets.properties:ssl.truststore.password}");
        assertThat(reread.problem()).startsWith("kafka.properties.sasl.jaas.config holds the [redacted] placeholder");
    }

    @Test
    void withoutPropertiesTheConfigPrintsAsBeforeWithTheNewKeys() {
        String printed = ConfigFiles.print(StreamingConfig.defaults());

        assertThat(printed).contains("properties: {}").contains("dlq-value: keep").doesNotContain("#");
        assertThat(ConfigFiles.parse(printed)).isEqualTo(StreamingConfig.defaults());
    }
}
