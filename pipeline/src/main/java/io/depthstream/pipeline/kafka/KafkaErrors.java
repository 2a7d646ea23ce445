package io.depthstream.pipeline.kafka;

import org.apache.flink.util.SerializedThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what a Kafka client throws into one line naming the cause: credentials refused, a missing ACL and the
 * resource it guards, a TLS handshake that failed and the certificate it failed on, a client without TLS at a TLS
 * listener. Secrets of the client properties never appear in the line.
 */
public final class KafkaErrors {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    private KafkaErrors() {}

    /**
     * One line for {@code failure} of a client of {@code bootstrap} configured with {@code properties}, or null when
     * the failure is none of the security or connection faults this class knows.
     */
    public static String securityProblem(Throwable failure, String bootstrap, KafkaClientProperties properties) {
        String user = properties.saslUser();
        String as = user == null ? "" : " to User:" + user;
        for (Throwable cause : chain(failure)) {
            String type = typeOf(cause);
            String message = properties.scrub(String.valueOf(cause.getMessage()));
            switch (type) {
                case "SaslAuthenticationException":
                    return "Kafka at " + bootstrap + " refused the credentials: authentication failed ("
                            + properties.values().getOrDefault("sasl.mechanism", "GSSAPI")
                            + (user == null ? "" : ", user '" + user + "'")
                            + "): check the user and password of sasl.jaas.config";
                case "SslAuthenticationException":
                    return tlsFailure(failure, bootstrap, properties);
                case "TopicAuthorizationException":
                    return "Kafka at " + bootstrap + " denies access" + as + ": " + message
                            + " (an ACL is missing for that topic)";
                case "GroupAuthorizationException":
                    return "Kafka at " + bootstrap + " denies access" + as + ": " + message
                            + " (an ACL is missing for that consumer group)";
                case "TransactionalIdAuthorizationException":
                    return "Kafka at " + bootstrap + " denies access" + as + " to a transactional id: " + message
                            + " (the job's exactly-once sinks need WRITE on transactional ids starting with "
                            + "kafka.group-id)";
                case "ClusterAuthorizationException":
                    return "Kafka at " + bootstrap + " denies a cluster operation" + as + ": " + message;
                case "AuthenticationException", "AuthorizationException":
                    return "Kafka at " + bootstrap + " refused this client" + as + ": " + message;
                default:
                    break;
            }
        }
        for (Throwable cause : chain(failure)) {
            String type = typeOf(cause);
            if (type.equals("TimeoutException") || type.equals("DisconnectException")) {
                return unreachable(bootstrap, properties);
            }
        }
        return null;
    }

    /**
     * One line for {@code failure}: {@link #securityProblem} when it is one, else {@code what} and the innermost
     * message, scrubbed of secrets.
     */
    public static String describe(String what, Throwable failure, String bootstrap, KafkaClientProperties properties) {
        String problem = securityProblem(failure, bootstrap, properties);
        if (problem != null) {
            return problem;
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return what + ": " + properties.scrub(newline < 0 ? message : message.substring(0, newline));
    }

    /** The client got no answer: a TLS mismatch between client and listener is the one cause worth naming. */
    private static String unreachable(String bootstrap, KafkaClientProperties properties) {
        HostPort first = HostPort.first(bootstrap);
        TlsProbe.Answer answer = first == null ? new TlsProbe.Answer(false, null)
                : TlsProbe.probe(first.host(), first.port(), PROBE_TIMEOUT);
        String protocol = properties.securityProtocol();
        if (answer.speaksTls() && !properties.usesTls()) {
            return "Kafka at " + bootstrap + " expects TLS (its listener presents the certificate "
                    + answer.describeCertificate() + ") but security.protocol is " + protocol + ": set "
                    + "security.protocol to " + (protocol.startsWith("SASL") ? "SASL_SSL" : "SSL or SASL_SSL")
                    + " and ssl.truststore.location";
        }
        if (answer.reached() && !answer.speaksTls() && properties.usesTls()) {
            return "Kafka at " + bootstrap + " does not speak TLS on that port but security.protocol is " + protocol
                    + ": use the broker's TLS listener, or the protocol its port speaks";
        }
        // no mismatch to name: the caller's own line (unreachable, timed out) says it best
        return null;
    }

    private static String tlsFailure(Throwable failure, String bootstrap, KafkaClientProperties properties) {
        Throwable root = failure;
        for (Throwable cause : chain(failure)) {
            root = cause;
        }
        String reason = properties.scrub(String.valueOf(root.getMessage()));
        HostPort first = HostPort.first(bootstrap);
        TlsProbe.Answer answer = first == null ? new TlsProbe.Answer(false, null)
                : TlsProbe.probe(first.host(), first.port(), PROBE_TIMEOUT);
        String truststore = properties.values().get("ssl.truststore.location");
        String trust = truststore != null ? "the truststore " + truststore
                : properties.values().containsKey("ssl.truststore.certificates") ? "ssl.truststore.certificates"
                : "the JVM's default trust store (no ssl.truststore.location set)";
        if (!answer.speaksTls()) {
            return "TLS handshake with Kafka at " + bootstrap + " failed: the port does not speak TLS ("
                    + reason + "); security.protocol is " + properties.securityProtocol();
        }
        String lower = reason.toLowerCase(Locale.ROOT);
        if (lower.contains("pkix") || lower.contains("certification path") || lower.contains("trust")) {
            return "TLS handshake with Kafka at " + bootstrap + " failed: the broker's certificate "
                    + answer.describeCertificate() + " is not trusted by " + trust + " (add the CA that issued it)";
        }
        return "TLS handshake with Kafka at " + bootstrap + " failed on the broker's certificate "
                + answer.describeCertificate() + ": " + reason;
    }

    private static String typeOf(Throwable cause) {
        String name = cause instanceof SerializedThrowable serialized ? serialized.getOriginalErrorClassName()
                : cause.getClass().getName();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    private static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
            for (Throwable suppressed : cause.getSuppressed()) {
                if (!chain.contains(suppressed)) {
                    chain.add(suppressed);
                }
            }
        }
        return chain;
    }

    /** One bootstrap server. */
    record HostPort(String host, int port) {
        static HostPort first(String bootstrap) {
            if (bootstrap == null) {
                return null;
            }
            String server = bootstrap.split(",")[0].strip();
            int colon = server.lastIndexOf(':');
            try {
                return colon < 1 ? null : new HostPort(server.substring(0, colon), Integer.parseInt(
                        server.substring(colon + 1)));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
