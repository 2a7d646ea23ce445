package io.depthstream.pipeline.embedded;

import io.depthstream.operators.codec.WireFormat;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Apache Kafka broker running in this JVM: one KRaft node in combined mode (broker and controller), on free
 * loopback ports, with its logs in a fresh temporary directory that {@link #close()} deletes.
 *
 * <p>Configured for the project's wire format on a single node: records up to {@link WireFormat#MAX_RECORD_BYTES},
 * replication factor 1 for every internal topic (consumer offsets, transaction state, share-group state), so
 * idempotent and transactional (exactly-once) producers and read-committed consumers work.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** How long {@link #start()} waits for the broker to accept clients. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int PORT_ATTEMPTS = 5;
    /** Settings that make this a single-node KRaft broker on its own ports and directory: not overridable. */
    private static final Set<String> OWN_SETTINGS = Set.of("process.roles", "node.id", "controller.quorum.voters",
            "controller.quorum.bootstrap.servers", "listeners", "advertised.listeners", "listener.security.protocol.map",
            "controller.listener.names", "inter.broker.listener.name", "log.dir", "log.dirs", "metadata.log.dir");

    private final Path directory;
    private final String bootstrapServers;
    private final String clusterId;
    /** Closes the broker when the JVM ends without {@link #close()} (Ctrl-C), so no directory is left behind. */
    private final Thread closeOnExit;
    private final KafkaConfig config;
    private KafkaRaftServer server;
    private boolean stopped;

    private EmbeddedKafka(Path directory, String bootstrapServers, String clusterId, KafkaConfig config,
                          KafkaRaftServer server) {
        this.directory = directory;
        this.bootstrapServers = bootstrapServers;
        this.clusterId = clusterId;
        this.config = config;
        this.server = server;
        this.closeOnExit = new Thread(this::close, "embedded-kafka-close");
        Runtime.getRuntime().addShutdownHook(closeOnExit);
    }

    /** Starts a broker with the project's settings and returns once it accepts clients. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /**
     * Starts a broker with the project's settings, {@code overrides} replacing or adding broker properties (e.g.
     * {@code num.partitions}; not its roles, listeners or directories), and returns once it accepts clients.
     *
     * @throws IllegalArgumentException when {@code overrides} touches the node's roles, listeners or directories
     * @throws IllegalStateException when the broker cannot start or is not ready within {@link #STARTUP_TIMEOUT}
     */
    public static EmbeddedKafka start(Map<String, String> overrides) {
        for (String key : overrides.keySet()) {
            if (OWN_SETTINGS.contains(key)) {
                throw new IllegalArgumentException("the embedded Kafka broker sets " + key + " itself");
            }
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("depthstream-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the embedded Kafka broker", e);
        }
        try {
            return startIn(directory, overrides);
        } catch (RuntimeException | Error e) {
            deleteRecursively(directory);
            throw e;
        }
    }

    /**
     * Free ports are picked before the broker binds them, so another process may take one in between: such a
     * start is retried on new ports with a freshly formatted directory.
     */
    private static EmbeddedKafka startIn(Path directory, Map<String, String> overrides) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            Path logDir = directory.resolve("logs-" + attempt);
            int brokerPort = freePort();
            int controllerPort = freePort();
            while (controllerPort == brokerPort) {
                controllerPort = freePort();
            }
            Map<String, String> properties = brokerProperties(logDir, brokerPort, controllerPort);
            properties.putAll(overrides);
            KafkaConfig config = new KafkaConfig(toProperties(properties), false);
            String clusterId = Uuid.randomUuid().toString();
            format(config, logDir, clusterId);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            String bootstrap = HOST + ":" + brokerPort;
            try {
                server.startup();
            } catch (RuntimeException e) {
                try {
                    shutDown(server);
                } catch (RuntimeException secondary) {
                    e.addSuppressed(secondary);
                }
                deleteRecursively(logDir);
                if (!isBindFailure(e)) {
                    throw new IllegalStateException("the embedded Kafka broker did not start: " + e.getMessage(), e);
                }
                last = e;
                continue;
            }
            EmbeddedKafka kafka = new EmbeddedKafka(directory, bootstrap, clusterId, config, server);
            try {
                kafka.awaitReady(STARTUP_TIMEOUT);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            return kafka;
        }
        throw new IllegalStateException("the embedded Kafka broker found no free ports in " + PORT_ATTEMPTS
                + " attempts: " + last.getMessage(), last);
    }

    /**
     * The broker properties of a single PLAINTEXT node on loopback with the project's settings: a test broker with
     * other listeners (TLS, SASL) starts from these and replaces the listener settings.
     */
    public static Map<String, String> brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST
                + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir.toString());
        // frames of up to 4 MB, produced, stored, replicated and fetched
        String maxRecord = Integer.toString(WireFormat.MAX_RECORD_BYTES);
        p.put("message.max.bytes", maxRecord);
        p.put("replica.fetch.max.bytes", maxRecord);
        // one node: every internal topic has a single replica
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Flink's exactly-once KafkaSink uses a one-hour transaction timeout by default; Kafka's cap is 15 minutes
        p.put("transaction.max.timeout.ms", Long.toString(TimeUnit.HOURS.toMillis(2)));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // Time retention counts from record timestamps, which are capture times: a replayed drive's frames and results
        // are years old and would be deleted at the next retention check, while the job is still reading them.
        p.put("log.retention.ms", "-1");
        p.put("num.partitions", "1");
        // a throw-away broker: small segments and indexes keep the temporary directory small
        p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        p.put("log.index.size.max.bytes", Integer.toString(1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "2");
        return p;
    }

    private static void format(KafkaConfig config, Path logDir, String clusterId) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(logDir.toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the embedded Kafka broker's log directory " + logDir + ": "
                    + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(config)) {
            while (true) {
                try {
                    int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000)).nodes()
                            .get(5, TimeUnit.SECONDS).size();
                    if (brokers > 0) {
                        awaitGroupCoordinators(admin, timeout);
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers
                                + " was not ready within " + timeout.toSeconds() + " s: " + e.getMessage(), e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers
                            + " reported no brokers within " + timeout.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }

    /**
     * Waits until every partition of {@code __consumer_offsets} has a loaded group coordinator. A fresh broker creates
     * that topic only when a client first asks for a coordinator, and loads each partition after that: a job started
     * earlier sees its first checkpoint's offset commit fail with {@code CoordinatorNotAvailableException}, which
     * Flink's KafkaSourceReader logs as a warning with a stack trace. Fetching the offsets of one group per partition
     * makes the broker create the topic, and the admin client retries until each coordinator answers.
     */
    private void awaitGroupCoordinators(Admin admin, Duration timeout) throws InterruptedException, ExecutionException,
            TimeoutException {
        int partitions = config.getInt("offsets.topic.num.partitions");
        for (String group : groupsCoveringPartitions(partitions)) {
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One group id per {@code __consumer_offsets} partition, mapped as the broker does: |hashCode| mod partitions. */
    static List<String> groupsCoveringPartitions(int partitions) {
        String[] groups = new String[partitions];
        int found = 0;
        for (int i = 0; found < partitions; i++) {
            String group = "depthstream-readiness-" + i;
            int partition = Utils.abs(group.hashCode()) % partitions;
            if (groups[partition] == null) {
                groups[partition] = group;
                found++;
            }
        }
        return List.of(groups);
    }

    /** {@code host:port} of the broker's listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The cluster id the log directory was formatted with. */
    public String clusterId() {
        return clusterId;
    }

    /** The temporary directory holding the broker's logs (deleted by {@link #close()}). */
    public Path directory() {
        return directory;
    }

    /** Whether the broker is running (started, not stopped and not closed). */
    public synchronized boolean isRunning() {
        return server != null && !stopped;
    }

    /**
     * Shuts the broker down as a crash or maintenance would, keeping its logs and ports, so {@link #restart()}
     * brings the same broker back with every record, offset and open transaction it had.
     *
     * @throws IllegalStateException when the broker is closed or already stopped
     */
    public synchronized void stop() {
        if (server == null || stopped) {
            throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers + " is not running");
        }
        shutDown(server);
        stopped = true;
    }

    /**
     * Starts a stopped broker again on the same ports and logs and returns once it accepts clients.
     *
     * @throws IllegalStateException when the broker is not stopped, or does not come back within
     *     {@link #STARTUP_TIMEOUT}
     */
    public synchronized void restart() {
        if (server == null || !stopped) {
            throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers + " is not stopped");
        }
        KafkaRaftServer restarted = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            restarted.startup();
        } catch (RuntimeException e) {
            shutDown(restarted);
            throw new IllegalStateException("the embedded Kafka broker did not restart on " + bootstrapServers + ": "
                    + e.getMessage(), e);
        }
        server = restarted;
        stopped = false;
        awaitReady(STARTUP_TIMEOUT);
    }

    /** Shuts the broker down, waits for its threads to end and deletes its directory; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        try {
            if (!stopped) {
                shutDown(server);
            }
        } finally {
            server = null;
            stopped = false;
            deleteRecursively(directory);
            if (Thread.currentThread() != closeOnExit) {
                try {
                    Runtime.getRuntime().removeShutdownHook(closeOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is ending: the hook finds the broker closed and returns
                }
            }
        }
    }

    private static void shutDown(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException
                    || (cause.getMessage() != null && cause.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    private static Properties toProperties(Map<String, String> map) {
        Properties properties = new Properties();
        properties.putAll(map);
        return properties;
    }

    private static void deleteRecursively(Path root) {
        try {
            ScratchDirectory.deleteRecursively(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the embedded Kafka broker's directory " + root, e);
        }
    }
}
