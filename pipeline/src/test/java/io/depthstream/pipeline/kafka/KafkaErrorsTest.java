package io.depthstream.pipeline.kafka;

import org.apache.flink.util.SerializedThrowable;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaErrorsTest {

    private static final KafkaClientProperties SCRAM = new KafkaClientProperties(Map.of(
            "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"job\" "
                    + "password=\"pw-0f9e8d\";"));

    @Test
    void refusedCredentialsNameTheMechanismAndUserButNotThePassword() {
        Throwable failure = new IllegalStateException("cannot list topics",
                new SaslAuthenticationException("Authentication failed during authentication due to invalid "
                        + "credentials with SASL mechanism SCRAM-SHA-512"));

        assertThat(KafkaErrors.securityProblem(failure, "k:9093", SCRAM)).isEqualTo("Kafka at k:9093 refused the "
                + "credentials: authentication failed (SCRAM-SHA-512, user 'job'): check the user and password of "
                + "sasl.jaas.config");
    }

    @Test
    void missingAclsNameTheResource() {
        assertThat(KafkaErrors.securityProblem(new ExecutionException(new TopicAuthorizationException(
                Set.of("depth"))), "k:9093", SCRAM))
                .isEqualTo("Kafka at k:9093 denies access to User:job: Not authorized to access topics: [depth] "
                        + "(an ACL is missing for that topic)");
        assertThat(KafkaErrors.securityProblem(GroupAuthorizationException.forGroupId("depthstream"), "k:9093", SCRAM))
                .contains("depthstream").contains("consumer group");
        assertThat(KafkaErrors.securityProblem(new TransactionalIdAuthorizationException("Transactional Id "
                + "authorization failed."), "k:9093", SCRAM)).contains("transactional ids starting with kafka.group-id");
    }

    @Test
    void aFailureThatCrossedFlinkAsASerializedThrowableIsRecognisedByItsClassName() {
        Throwable remote = new SerializedThrowable(new TopicAuthorizationException(Set.of("poses")));

        assertThat(KafkaErrors.securityProblem(new RuntimeException("job failed", remote), "k:9093", SCRAM))
                .contains("denies access to User:job").contains("[poses]");
    }

    @Test
    void otherFailuresKeepTheirMessageWithoutSecrets() {
        Throwable failure = new IllegalStateException("wrapped", new IllegalArgumentException(
                "bad option password=\"pw-0f9e8d\"\nsecond line"));

        assertThat(KafkaErrors.securityProblem(failure, "k:9093", SCRAM)).isNull();
        assertThat(KafkaErrors.describe("cannot create topic frames", failure, "k:9093", SCRAM))
                .isEqualTo("cannot create topic frames: bad option password=\"[redacted]\"");
    }

    @Test
    void aTimeoutWithNothingListeningIsLeftToTheCallersOwnLine() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        assertThat(KafkaErrors.securityProblem(new TimeoutException("Timed out waiting for a node assignment."),
                "127.0.0.1:" + closedPort, SCRAM)).isNull();
    }
}
