package io.depthstream.pipeline.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaClientPropertiesTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"job\" password=\"s3cr3t-pw\";";
    private static final String FILE_PROVIDER = "org.apache.kafka.common.config.provider.FileConfigProvider";

    private static KafkaClientProperties of(String... keyValues) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return new KafkaClientProperties(values);
    }

    @Test
    void anAssignmentSplitsAtTheFirstEqualsSign() {
        assertThat(KafkaClientProperties.parseAssignment("sasl.jaas.config=a b=\"c\";").values())
                .containsExactly(Map.entry("sasl.jaas.config", "a b=\"c\";"));
        assertThatThrownBy(() -> KafkaClientProperties.parseAssignment("security.protocol"))
                .hasMessage("--kafka-property expects KEY=VALUE, got 'security.protocol'");
        assertThatThrownBy(() -> KafkaClientProperties.parseAssignment("=SSL"))
                .hasMessageStartingWith("--kafka-property expects KEY=VALUE");
    }

    @Test
    void aPropertiesFileIsReadAndLaterSourcesOverrideEarlierOnes(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism = SCRAM-SHA-512\n# a comment\n");

        KafkaClientProperties merged = of("security.protocol", "SSL", "client.id", "cam")
                .with(KafkaClientProperties.read(file))
                .with(KafkaClientProperties.parseAssignment("sasl.mechanism=PLAIN"));

        assertThat(merged.values()).containsExactly(Map.entry("client.id", "cam"),
                Map.entry("sasl.mechanism", "PLAIN"), Map.entry("security.protocol", "SASL_SSL"));
        assertThatThrownBy(() -> KafkaClientProperties.read(dir.resolve("missing.properties")))
                .hasMessageStartingWith("cannot read Kafka client properties " + dir.resolve("missing.properties"));
    }

    @Test
    void unknownReservedAndPlaceholderValuesAreRefusedInOneLine() {
        assertThat(of("sasl.mechansim", "PLAIN").problem("kafka.properties."))
                .isEqualTo("kafka.properties.sasl.mechansim is not a Kafka producer, consumer or admin client property");
        assertThat(of("bootstrap.servers", "x:1").problem("kafka.properties."))
                .isEqualTo("kafka.properties.bootstrap.servers is set by depthstream: use kafka.bootstrap (--bootstrap)");
        assertThat(of("group.id", "g").problem("p.")).contains("use kafka.group-id");
        assertThat(of("ssl.truststore.password", KafkaClientProperties.REDACTED).problem("kafka.properties."))
                .startsWith("kafka.properties.ssl.truststore.password holds the [redacted] placeholder");
        assertThat(of("security.protocol", "SASL_SSL", "linger.ms", "5", "max.poll.records", "10",
                "config.providers", "file", "config.providers.file.class", FILE_PROVIDER).problem("p.")).isNull();
    }

    @Test
    void aReferenceNeedsItsProviderConfigured() {
        assertThat(of("sasl.jaas.config", "${file:/s.properties:jaas}").problem("kafka.properties."))
                .startsWith("kafka.properties.sasl.jaas.config refers to config provider 'file', which is not "
                        + "configured: add kafka.properties.config.providers: file");
        assertThat(of("config.providers", "file").problem("kafka.properties."))
                .isEqualTo("kafka.properties.config.providers names 'file' but "
                        + "kafka.properties.config.providers.file.class is not set");
        assertThat(of("sasl.jaas.config", "${file:/s.properties:jaas}", "config.providers", "file",
                "config.providers.file.class", FILE_PROVIDER).problem("kafka.properties.")).isNull();
    }

    @Test
    void keyStoresAndSecretFilesMustBeReadable(@TempDir Path dir) throws Exception {
        Path truststore = Files.write(dir.resolve("truststore.p12"), new byte[] {1, 2, 3});
        Path secrets = Files.writeString(dir.resolve("secrets.properties"), "jaas=" + JAAS + "\n");

        assertThat(of("ssl.truststore.location", dir.resolve("nope.p12").toString()).fileProblem("kafka.properties."))
                .isEqualTo("kafka.properties.ssl.truststore.location: " + dir.resolve("nope.p12") + " does not exist");
        assertThat(of("ssl.keystore.location", dir.toString()).fileProblem("k."))
                .isEqualTo("k.ssl.keystore.location: " + dir + " is not a file");
        KafkaClientProperties referring = of("ssl.truststore.location", truststore.toString(),
                "sasl.jaas.config", "${file:" + secrets + ":jaas}", "config.providers", "file",
                "config.providers.file.class", FILE_PROVIDER);
        assertThat(referring.fileProblem("k.")).isNull();
        assertThat(referring.with(of("ssl.truststore.password", "${file:" + secrets + ":truststore}"))
                .fileProblem("k.")).isEqualTo("k.ssl.truststore.password refers to key 'truststore' of " + secrets
                        + ", which has no such key");
        assertThat(referring.with(of("sasl.jaas.config", "${file:" + dir.resolve("gone") + ":jaas}"))
                .fileProblem("k.")).isEqualTo("k.sasl.jaas.config: " + dir.resolve("gone") + " does not exist");
    }

    @Test
    void secretsAreRedactedReferencesAndUsersAreNot() {
        KafkaClientProperties properties = of("sasl.jaas.config", JAAS, "ssl.truststore.password", "tr-pw-1",
                "ssl.keystore.password", "${file:/s.properties:ks}", "security.protocol", "SASL_SSL",
                "sasl.oauthbearer.token.endpoint.url", "https://idp/token");

        assertThat(properties.redacted()).containsEntry("sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"job\" "
                                + "password=\"[redacted]\";")
                .containsEntry("ssl.truststore.password", "[redacted]")
                .containsEntry("ssl.keystore.password", "${file:/s.properties:ks}")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.oauthbearer.token.endpoint.url", "https://idp/token");
        assertThat(properties.inlineSecrets()).containsExactly("sasl.jaas.config", "ssl.truststore.password");
        assertThat(properties.saslUser()).isEqualTo("job");
        assertThat(properties.scrub("login failed for password s3cr3t-pw, store tr-pw-1"))
                .isEqualTo("login failed for password [redacted], store [redacted]");
        assertThat(of("sasl.jaas.config", "Module required username=\"u\" password=\"${file:/s:pw}\";")
                .inlineSecrets()).isEmpty();
    }

    @Test
    void eachClientGetsOnlyThePropertiesItKnows() {
        KafkaClientProperties properties = of("security.protocol", "SSL", "linger.ms", "7", "max.poll.records", "9",
                "config.providers", "file", "config.providers.file.class", FILE_PROVIDER);

        assertThat(properties.producer(Map.of("acks", "all"))).containsEntry("linger.ms", "7")
                .containsEntry("security.protocol", "SSL").containsEntry("config.providers", "file")
                .containsEntry("acks", "all").doesNotContainKey("max.poll.records");
        assertThat(properties.consumer(Map.of())).containsEntry("max.poll.records", "9")
                .doesNotContainKey("linger.ms").containsKey("config.providers.file.class");
        assertThat(properties.admin(Map.of())).containsOnlyKeys("security.protocol", "config.providers",
                "config.providers.file.class");
        assertThat(properties.sink().stringPropertyNames()).contains("linger.ms").doesNotContain("max.poll.records");
        assertThat(properties.source().stringPropertyNames()).contains("max.poll.records").doesNotContain("linger.ms");
    }
}
