package io.depthstream.pipeline.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTransactionsOptions;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the broker, before a job starts, whether this client's principal holds the ACLs the job needs: Kafka
 * reports the operations a principal may perform on each topic and group it describes. A missing ACL found here is
 * one line naming the operation and the resource; found by the running job it would fail it over and over.
 */
public final class KafkaAccess {

    /**
     * What a client needs on a topic.
     *
     * @param topic the topic
     * @param operation READ or WRITE
     */
    public record TopicNeed(String topic, AclOperation operation) {}

    private KafkaAccess() {}

    /**
     * The missing ACLs, each as one line with the {@code kafka-acls.sh} arguments that grant it; empty when the
     * principal has them all (or when the broker does not report authorised operations).
     *
     * @param principal shown in the lines, e.g. {@code User:job}; null when unknown
     * @param group consumer group the job reads with, or null
     * @param transactionalIdPrefixes prefixes of the exactly-once sinks' transactional ids
     * @throws IllegalStateException when the broker does not answer in time or refuses the client altogether
     */
    public static List<String> missing(Admin admin, String principal, Collection<TopicNeed> topics, String group,
                                       Collection<String> transactionalIdPrefixes, Duration timeout) {
        String who = principal == null ? "this client's principal" : principal;
        String grantee = principal == null ? "PRINCIPAL" : principal;
        List<String> missing = new ArrayList<>();
        List<String> names = topics.stream().map(TopicNeed::topic).distinct().toList();
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names,
                new DescribeTopicsOptions().includeAuthorizedOperations(true).timeoutMs(timeoutMs)).topicNameValues();
        for (TopicNeed need : topics) {
            Set<AclOperation> allowed;
            try {
                allowed = get(described.get(need.topic()), timeout).authorizedOperations();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicAuthorizationException) {
                    allowed = Set.of();
                } else {
                    throw new IllegalStateException(e.getCause());
                }
            }
            if (allowed != null && !allowed.contains(need.operation()) && !allowed.contains(AclOperation.ALL)) {
                missing.add(line(who, need.operation(), "topic", need.topic(), "--allow-principal " + grantee
                        + " --operation " + camel(need.operation()) + " --topic " + need.topic()));
            }
        }
        if (group != null) {
            try {
                ConsumerGroupDescription description = get(admin.describeConsumerGroups(List.of(group),
                        new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true).timeoutMs(timeoutMs))
                        .describedGroups().get(group), timeout);
                Set<AclOperation> allowed = description.authorizedOperations();
                if (allowed != null && !allowed.isEmpty() && !allowed.contains(AclOperation.READ)
                        && !allowed.contains(AclOperation.ALL)) {
                    missing.add(groupLine(who, grantee, group));
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupAuthorizationException) {
                    missing.add(groupLine(who, grantee, group));
                }
                // any other answer (e.g. a group that does not exist yet) says nothing about the ACL
            }
        }
        for (String prefix : transactionalIdPrefixes) {
            try {
                get(admin.describeTransactions(List.of(prefix + "-0-1"), new DescribeTransactionsOptions()
                        .timeoutMs(timeoutMs)).description(prefix + "-0-1"), timeout);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TransactionalIdAuthorizationException) {
                    missing.add(line(who, AclOperation.WRITE, "transactional ids starting with", prefix,
                            "--allow-principal " + grantee + " --operation Write --operation Describe "
                                    + "--transactional-id " + prefix + " --resource-pattern-type prefixed"));
                }
                // not found: the principal may describe (so, as granted together, write) these ids
            }
        }
        return missing;
    }

    private static String groupLine(String who, String grantee, String group) {
        return line(who, AclOperation.READ, "consumer group", group, "--allow-principal " + grantee
                + " --operation Read --group " + group);
    }

    private static String line(String who, AclOperation operation, String kind, String name, String grant) {
        return "Kafka does not allow " + who + " to " + operation.name() + " " + kind + " '" + name
                + "' (missing ACL; grant it with kafka-acls.sh --add " + grant + ")";
    }

    private static String camel(AclOperation operation) {
        String name = operation.name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static <T> T get(KafkaFuture<T> future, Duration timeout) throws ExecutionException {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka gave no answer within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Kafka for ACLs", e);
        }
    }
}
