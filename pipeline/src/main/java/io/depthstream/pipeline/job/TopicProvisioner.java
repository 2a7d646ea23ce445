package io.depthstream.pipeline.job;

import io.depthstream.pipeline.kafka.KafkaClientProperties;
import io.depthstream.pipeline.kafka.KafkaErrors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the topics the project needs on any Kafka cluster through the Admin API: missing topics are created with
 * their partitions, replication and {@code max.message.bytes}; existing topics are left as they are and checked,
 * so running it again changes nothing.
 */
public final class TopicProvisioner {

    private final Admin admin;
    private final Duration timeout;

    /** A provisioner that uses {@code admin} (not closed here) and waits up to {@code timeout} per request. */
    public TopicProvisioner(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /** Connects to {@code bootstrapServers} with Kafka's default (plaintext) client, ensures {@code specs}. */
    public static List<TopicStatus> ensure(String bootstrapServers, Collection<TopicSpec> specs, Duration timeout) {
        return ensure(bootstrapServers, KafkaClientProperties.none(), specs, timeout);
    }

    /**
     * Connects to {@code bootstrapServers} with the client {@code properties} (security, tuning), ensures
     * {@code specs} and disconnects.
     *
     * @throws IllegalStateException in one line when the cluster refuses the client (credentials, TLS, ACLs), does
     *     not answer in time or refuses a request; secrets never appear in it
     */
    public static List<TopicStatus> ensure(String bootstrapServers, KafkaClientProperties properties,
                                           Collection<TopicSpec> specs, Duration timeout) {
        Map<String, Object> config = properties.admin(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        try (Admin admin = Admin.create(config)) {
            return new TopicProvisioner(admin, timeout).ensure(specs);
        } catch (IllegalStateException e) {
            String problem = KafkaErrors.securityProblem(e, bootstrapServers, properties);
            if (problem == null) {
                throw new IllegalStateException(properties.scrub(e.getMessage()), e);
            }
            throw new IllegalStateException(problem, e);
        }
    }

    /**
     * Creates those of {@code specs} that do not exist and reports every topic's partitions and record limit, in
     * the order of {@code specs}. A topic created by someone else meanwhile counts as existing.
     *
     * @throws IllegalStateException when the cluster cannot be reached in time or refuses a request
     */
    public List<TopicStatus> ensure(Collection<TopicSpec> specs) {
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            if (byName.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("topic " + spec.name() + " is specified twice");
            }
        }
        if (byName.isEmpty()) {
            return List.of();
        }
        Set<String> existing = get(admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs())).names(),
                "list topics");
        Set<String> created = create(byName.values().stream().filter(s -> !existing.contains(s.name())).toList());

        Map<String, TopicDescription> descriptions = describeOnceVisible(byName.keySet());
        List<ConfigResource> resources = byName.keySet().stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = get(admin.describeConfigs(resources,
                new DescribeConfigsOptions().timeoutMs(timeoutMs())).all(), "describe topic configs");

        List<TopicStatus> statuses = new ArrayList<>();
        for (TopicSpec spec : byName.values()) {
            int partitions = descriptions.get(spec.name()).partitions().size();
            ConfigEntry entry = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()))
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            long maxMessageBytes = entry == null || entry.value() == null ? -1 : Long.parseLong(entry.value());
            String problem = null;
            if (maxMessageBytes < spec.maxMessageBytes()) {
                problem = "topic " + spec.name() + " accepts records up to " + maxMessageBytes + " bytes, "
                        + spec.maxMessageBytes() + " are needed (raise it: kafka-configs.sh --alter --entity-type"
                        + " topics --entity-name " + spec.name() + " --add-config "
                        + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + "=" + spec.maxMessageBytes() + ")";
            }
            statuses.add(new TopicStatus(spec.name(), created.contains(spec.name()), partitions, maxMessageBytes,
                    problem));
        }
        return statuses;
    }

    private Set<String> create(List<TopicSpec> missing) {
        Set<String> created = new HashSet<>();
        if (missing.isEmpty()) {
            return created;
        }
        List<NewTopic> topics = new ArrayList<>();
        for (TopicSpec spec : missing) {
            Optional<Short> replication = spec.replicationFactor() == TopicSpec.BROKER_DEFAULT_REPLICATION
                    ? Optional.empty() : Optional.of(spec.replicationFactor());
            topics.add(new NewTopic(spec.name(), Optional.of(spec.partitions()), replication)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(spec.maxMessageBytes()))));
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics,
                new CreateTopicsOptions().timeoutMs(timeoutMs())).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                get(result.getValue(), "create topic " + result.getKey());
                created.add(result.getKey());
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }

    /** Describes the topics, waiting (within the timeout) for ones just created to reach the broker's metadata. */
    private Map<String, TopicDescription> describeOnceVisible(Set<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return get(admin.describeTopics(names, new DescribeTopicsOptions().timeoutMs(timeoutMs()))
                        .allTopicNames(), "describe topics");
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for new topics to appear", e);
            }
        }
    }

    private int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    private <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot " + what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + ": no answer within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        }
    }
}
