package io.depthstream.pipeline.cli;

import io.depthstream.pipeline.kafka.KafkaClientProperties;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options of the commands that talk to Kafka: client properties for security (TLS, SASL) and tuning. */
final class KafkaClientOptions {

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties file (Java "
            + "properties, as Kafka's tools take with --command-config): security.protocol, sasl.mechanism, "
            + "sasl.jaas.config, ssl.truststore.location, config.providers, ... Every Kafka client of the command "
            + "takes them. Secrets are never printed; refer to them with ${file:PATH:KEY} (docs/DEPLOY.md, "
            + "\"Secured Kafka\").")
    Path file;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "One Kafka client property "
            + "(repeatable); overrides --kafka-config and the config file's kafka.properties.")
    List<String> assignments = new ArrayList<>();

    /** The properties these options give, {@code --kafka-property} over {@code --kafka-config}. */
    KafkaClientProperties properties() {
        KafkaClientProperties properties = file == null ? KafkaClientProperties.none()
                : KafkaClientProperties.read(file);
        for (String assignment : assignments) {
            properties = properties.with(KafkaClientProperties.parseAssignment(assignment));
        }
        return properties;
    }

    /**
     * The properties, checked: one line naming the first unusable key or unreadable file.
     *
     * @throws IllegalArgumentException when a property cannot be used
     */
    KafkaClientProperties checkedProperties() {
        KafkaClientProperties properties = properties();
        String problem = properties.problem("Kafka client property ");
        if (problem == null) {
            problem = properties.fileProblem("Kafka client property ");
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return properties;
    }
}
