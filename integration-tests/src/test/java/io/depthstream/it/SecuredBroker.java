package io.depthstream.it;

import io.depthstream.pipeline.embedded.EmbeddedKafka;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker in this JVM (one KRaft node) that refuses strangers: clients reach it only on a
 * SASL_SSL listener with SCRAM-SHA-512 users, the broker and controller talk over mutual TLS, and ACLs
 * (StandardAuthorizer) decide who may do what; the broker's own certificate principal is the only super user. The
 * CA, the broker's certificate and a second, untrusted CA are made here with the JDK's keytool.
 */
final class SecuredBroker implements AutoCloseable {

    static final String CLIENT_LISTENER = "CLIENTS";
    private static final String HOST = "127.0.0.1";
    private static final String STORE_PASSWORD = "broker-store-secret";
    private static final String SUPER_USER = "User:CN=broker";

    private final Path dir;
    private final KafkaRaftServer server;
    private final String bootstrap;
    private final String internalBootstrap;

    private SecuredBroker(Path dir, KafkaRaftServer server, String bootstrap, String internalBootstrap) {
        this.dir = dir;
        this.server = server;
        this.bootstrap = bootstrap;
        this.internalBootstrap = internalBootstrap;
    }

    /**
     * Makes the certificates in {@code dir} and starts the broker with the SCRAM-SHA-512 {@code users} (name →
     * password) formatted into its metadata.
     */
    static SecuredBroker start(Path dir, Map<String, String> users) throws Exception {
        Certificates.make(dir, STORE_PASSWORD);
        int clientPort = freePort();
        int internalPort = freePort();
        int controllerPort = freePort();
        Path logDir = dir.resolve("logs");
        Map<String, String> p = EmbeddedKafka.brokerProperties(logDir, clientPort, controllerPort);
        p.put("listeners", "CONTROLLER://" + HOST + ":" + controllerPort + ",INTERNAL://" + HOST + ":" + internalPort
                + "," + CLIENT_LISTENER + "://" + HOST + ":" + clientPort);
        p.put("advertised.listeners", "INTERNAL://" + HOST + ":" + internalPort + "," + CLIENT_LISTENER + "://" + HOST
                + ":" + clientPort);
        p.put("listener.security.protocol.map", "CONTROLLER:SSL,INTERNAL:SSL," + CLIENT_LISTENER + ":SASL_SSL");
        p.put("inter.broker.listener.name", "INTERNAL");
        p.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.password", STORE_PASSWORD);
        p.put("ssl.key.password", STORE_PASSWORD);
        p.put("ssl.truststore.location", dir.resolve("truststore.p12").toString());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.password", STORE_PASSWORD);
        // the node's own connections prove themselves with its certificate: no password travels, no stranger enters
        p.put("listener.name.controller.ssl.client.auth", "required");
        p.put("listener.name.internal.ssl.client.auth", "required");
        String clients = "listener.name." + CLIENT_LISTENER.toLowerCase() + ".";
        p.put(clients + "sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.put(clients + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", SUPER_USER);
        Properties properties = new Properties();
        properties.putAll(p);
        KafkaConfig config = new KafkaConfig(properties, false);
        List<String> scram = new ArrayList<>();
        users.forEach((name, password) -> scram.add("SCRAM-SHA-512=[name=" + name + ",password=" + password + "]"));
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(config.metadataLogDir())
                .addDirectory(logDir.toString())
                .setScramArguments(scram)
                .run();
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        SecuredBroker broker = new SecuredBroker(dir, server, HOST + ":" + clientPort, HOST + ":" + internalPort);
        try (Admin admin = broker.superAdmin()) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** The SASL_SSL listener, {@code host:port}. */
    String bootstrap() {
        return bootstrap;
    }

    /** The CA the broker's certificate was issued by, as a PKCS12 truststore. */
    Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** A truststore holding only another CA: the broker's certificate does not chain to it. */
    Path untrustedTruststore() {
        return dir.resolve("other-truststore.p12");
    }

    /** The password of both truststores. */
    String truststorePassword() {
        return STORE_PASSWORD;
    }

    /** An admin client as the broker's own super user (mutual TLS on the internal listener): for set-up only. */
    Admin superAdmin() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, internalBootstrap);
        config.put("security.protocol", "SSL");
        config.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
        config.put("ssl.keystore.type", "PKCS12");
        config.put("ssl.keystore.password", STORE_PASSWORD);
        config.put("ssl.truststore.location", truststore().toString());
        config.put("ssl.truststore.type", "PKCS12");
        config.put("ssl.truststore.password", STORE_PASSWORD);
        return Admin.create(config);
    }

    /** Allows {@code principal} {@code operations} on {@code type} resources named {@code name} (or prefixed). */
    void allow(String principal, ResourceType type, String name, PatternType pattern, AclOperation... operations)
            throws Exception {
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation operation : operations) {
            bindings.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
        try (Admin admin = superAdmin()) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test's PKI, made with the JDK's own keytool. */
    static final class Certificates {

        private Certificates() {}

        static void make(Path dir, String password) throws IOException, InterruptedException {
            String ca = dir.resolve("ca.p12").toString();
            String broker = dir.resolve("broker.p12").toString();
            String other = dir.resolve("other-ca.p12").toString();
            keytool(dir, "-genkeypair", "-alias", "ca", "-dname", "CN=depthstream test CA", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-ext", "bc:c", "-validity", "2", "-keystore", ca, "-storetype",
                    "PKCS12", "-storepass", password);
            keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", password, "-file",
                    dir.resolve("ca.pem").toString());
            keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
                    "-keystore", dir.resolve("truststore.p12").toString(), "-storetype", "PKCS12", "-storepass",
                    password);
            keytool(dir, "-genkeypair", "-alias", "broker", "-dname", "CN=broker", "-keyalg", "EC", "-groupname",
                    "secp256r1", "-validity", "2", "-keystore", broker, "-storetype", "PKCS12", "-storepass",
                    password);
            keytool(dir, "-certreq", "-alias", "broker", "-keystore", broker, "-storepass", password, "-file",
                    dir.resolve("broker.csr").toString());
            keytool(dir, "-gencert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", password, "-infile",
                    dir.resolve("broker.csr").toString(), "-outfile", dir.resolve("broker.pem").toString(),
                    "-validity", "2", "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-ext", "EKU=serverAuth,clientAuth");
            keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
                    "-keystore", broker, "-storepass", password);
            keytool(dir, "-importcert", "-noprompt", "-alias", "broker", "-file", dir.resolve("broker.pem").toString(),
                    "-keystore", broker, "-storepass", password);
            keytool(dir, "-genkeypair", "-alias", "other", "-dname", "CN=some other CA", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-ext", "bc:c", "-validity", "2", "-keystore", other, "-storetype",
                    "PKCS12", "-storepass", password);
            keytool(dir, "-exportcert", "-rfc", "-alias", "other", "-keystore", other, "-storepass", password,
                    "-file", dir.resolve("other-ca.pem").toString());
            keytool(dir, "-importcert", "-noprompt", "-alias", "other", "-file",
                    dir.resolve("other-ca.pem").toString(), "-keystore",
                    dir.resolve("other-truststore.p12").toString(), "-storetype", "PKCS12", "-storepass", password);
        }

        private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        }
    }
}
