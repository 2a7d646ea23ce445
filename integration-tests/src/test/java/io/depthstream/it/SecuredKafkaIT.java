package io.depthstream.it;

import io.depthstream.pipeline.cli.DepthstreamCommand;
import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.job.StreamingJob;
import io.depthstream.pipeline.kafka.KafkaClientProperties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project's Kafka clients against a broker that refuses strangers (SASL_SSL with SCRAM-SHA-512, ACLs), configured
 * with the SASL_SSL example of docs/DEPLOY.md ("Secured Kafka") as written there, only its paths, address and
 * passwords replaced: the job, {@code replay}, topic creation and the results reader through the secured listener;
 * wrong password, no TLS and an untrusted CA each one line with nothing written; a missing ACL named; no password in
 * printed configs or logs.
 */
class SecuredKafkaIT {

    private static final String JOB_PASSWORD = "job-pw-7f3a9c";
    private static final String CAMERA_PASSWORD = "camera-pw-41d8e2";
    private static final String VIEWER_PASSWORD = "viewer-pw-b6c0d5";
    private static final String READER_PASSWORD = "reader-pw-2e9f17";
    private static final List<String> TOPICS = List.of("frames", "depth", "poses", "frames-dlq");

    @TempDir
    static Path dir;

    private static SecuredBroker broker;
    private static LogCapture logs;
    private static Path jobConfig;
    private static Path cameraProperties;
    private static Map<String, String> viewer;

    @BeforeAll
    static void startBroker() throws Exception {
        logs = LogCapture.install();
        broker = SecuredBroker.start(Files.createDirectories(dir.resolve("pki")), Map.of(
                "depthstream-job", JOB_PASSWORD, "depthstream-camera", CAMERA_PASSWORD,
                "viewer", VIEWER_PASSWORD, "reader", READER_PASSWORD));
        for (String topic : List.of("depth", "poses", "frames-dlq")) {
            broker.allow("User:depthstream-job", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE,
                    AclOperation.DESCRIBE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
            broker.allow("User:viewer", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ,
                    AclOperation.DESCRIBE);
            broker.allow("User:reader", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE,
                    AclOperation.DESCRIBE_CONFIGS);
        }
        broker.allow("User:depthstream-job", ResourceType.TOPIC, "frames", PatternType.LITERAL, AclOperation.READ,
                AclOperation.DESCRIBE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
        broker.allow("User:depthstream-job", ResourceType.GROUP, "depthstream", PatternType.PREFIXED,
                AclOperation.READ);
        broker.allow("User:depthstream-job", ResourceType.TRANSACTIONAL_ID, "depthstream", PatternType.PREFIXED,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        broker.allow("User:depthstream-camera", ResourceType.TOPIC, "frames", PatternType.LITERAL,
                AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        // reads frames as the job does, but may not write results
        broker.allow("User:reader", ResourceType.TOPIC, "frames", PatternType.LITERAL, AclOperation.READ,
                AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        broker.allow("User:reader", ResourceType.GROUP, "depthstream", PatternType.PREFIXED, AclOperation.READ);

        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.copy(broker.truststore(), etc.resolve("kafka-truststore.p12"));
        String deploy = Files.readString(repositoryRoot().resolve("docs/DEPLOY.md"));
        jobConfig = Files.writeString(etc.resolve("depthstream.yaml"), example(deploy, "depthstream.yaml", etc)
                .replace("weights: /var/depthstream/models/current", "weights: null\n  init: random\n  arch: lite\n"
                        + "  height: 64\n  width: 192\n  seed: 3\n  device: cpu"));
        Files.writeString(etc.resolve("kafka-secrets.properties"), example(deploy, "kafka-secrets.properties", etc)
                .replace("change-me-too", broker.truststorePassword()).replace("change-me", JOB_PASSWORD));
        cameraProperties = Files.writeString(etc.resolve("camera.properties"),
                example(deploy, "camera.properties", etc));
        Files.writeString(etc.resolve("camera-secrets.properties"), example(deploy, "kafka-secrets.properties", etc)
                .replace("change-me-too", broker.truststorePassword()).replace("change-me", CAMERA_PASSWORD)
                .replace("depthstream-job", "depthstream-camera"));
        viewer = saslSsl("viewer", VIEWER_PASSWORD, broker.truststore());
    }

    @AfterAll
    static void stop() {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            if (logs != null) {
                logs.remove();
            }
        }
    }

    @Test
    void theDocumentedConfigStreamsEveryFrameOnceThroughTheSecuredListener() throws Exception {
        StreamingConfig config = ConfigFiles.read(jobConfig)
                .withBootstrap(broker.bootstrap())
                .withTriplets(new StreamingConfig.Triplets(500, 10, 1000, 600_000))
                .withCheckpoints(new StreamingConfig.Checkpoints(500,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()));
        assertThat(config.kafka().properties().get("sasl.jaas.config")).startsWith("${file:");
        // topic creation and the ACL check through the SASL_SSL listener, as the job's principal
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        assertThat(StreamingJob.missingAcls(config, Duration.ofSeconds(30))).isEmpty();
        Path data = synthesize(dir.resolve("drives"));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                StreamingJob.localConfiguration());
        StreamingJob.define(env, config);
        JobClient job = env.executeAsync(StreamingJob.NAME);
        OutputRecords out;
        Run replay;
        try (OutputReader reader = new OutputReader(broker.bootstrap(), new KafkaClientProperties(viewer), "depth",
                "poses", "frames-dlq")) {
            replay = cli("replay", "--bootstrap", broker.bootstrap(), "--kafka-config", cameraProperties.toString(),
                    "--data", data.toString(), "--rate", "max", "--timeout", "20");
            assertThat(replay.exit()).as(replay.err()).isZero();
            reader.readUntil(12, Duration.ofMinutes(2), done -> { });
            job.stopWithSavepoint(true, dir.resolve("savepoint").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(2, TimeUnit.MINUTES);
            out = reader.drain(Duration.ofSeconds(2));
        } catch (Exception e) {
            job.cancel().get(30, TimeUnit.SECONDS);
            throw e;
        }

        assertThat(replay.out()).contains("replayed 12 frames");
        List<String> depth = out.depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
        assertThat(depth).hasSize(12).doesNotHaveDuplicates();
        assertThat(out.poses()).hasSize(12);
        assertThat(new HashSet<>(depth)).hasSize(12);
        assertThat(out.rejected()).isEmpty();
        assertNoSecretIn(logs.text());
    }

    @Test
    void aWrongPasswordIsOneLineAndWritesNothing() throws Exception {
        Map<String, Long> before = endOffsets();
        Path wrong = properties("wrong-password", saslSsl("depthstream-camera", "not-the-password",
                broker.truststore()));

        Run replay = replay(wrong);
        Run stream = stream("--kafka-config", wrong.toString());

        for (Run run : List.of(replay, stream)) {
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.errLines()).as(run.err()).hasSize(1);
            assertThat(run.err()).contains("refused the credentials: authentication failed (SCRAM-SHA-512")
                    .doesNotContain("not-the-password");
        }
        assertThat(endOffsets()).isEqualTo(before);
    }

    @Test
    void aClientWithoutTlsIsOneLineAndWritesNothing() throws Exception {
        Map<String, Long> before = endOffsets();
        Map<String, String> plain = saslSsl("depthstream-camera", CAMERA_PASSWORD, broker.truststore());
        plain.put("security.protocol", "SASL_PLAINTEXT");
        Path noTls = properties("no-tls", plain);

        Run replay = replay(noTls);

        assertThat(replay.exit()).isEqualTo(1);
        assertThat(replay.errLines()).as(replay.err()).hasSize(1);
        assertThat(replay.err()).contains("expects TLS").contains("CN=broker")
                .contains("security.protocol is SASL_PLAINTEXT");
        assertThat(endOffsets()).isEqualTo(before);
    }

    @Test
    void anUntrustedCaIsOneLineNamingTheCertificateAndWritesNothing() throws Exception {
        Map<String, Long> before = endOffsets();
        Path untrusted = properties("untrusted", saslSsl("depthstream-camera", CAMERA_PASSWORD,
                broker.untrustedTruststore()));

        Run replay = replay(untrusted);
        Run stream = stream("--kafka-config", untrusted.toString());

        for (Run run : List.of(replay, stream)) {
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.errLines()).as(run.err()).hasSize(1);
            assertThat(run.err()).contains("TLS handshake with Kafka at " + broker.bootstrap() + " failed")
                    .contains("CN=broker (issued by CN=depthstream test CA)")
                    .contains("not trusted by the truststore " + broker.untrustedTruststore());
        }
        assertThat(endOffsets()).isEqualTo(before);
    }

    @Test
    void aPrincipalThatMayReadFramesButNotWriteDepthIsToldTheMissingAcl() throws Exception {
        StreamingConfig config = ConfigFiles.read(jobConfig).withBootstrap(broker.bootstrap());
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        Map<String, Long> before = endOffsets();
        Path reader = properties("reader", saslSsl("reader", READER_PASSWORD, broker.truststore()));

        Run stream = stream("--kafka-config", reader.toString());

        assertThat(stream.exit()).isEqualTo(1);
        assertThat(stream.errLines()).as(stream.err()).hasSize(1);
        assertThat(stream.err())
                .contains("Kafka does not allow User:reader to WRITE topic 'depth'")
                .contains("--allow-principal User:reader --operation Write --topic depth")
                .contains("WRITE topic 'poses'").contains("WRITE topic 'frames-dlq'")
                .doesNotContain("READ topic 'frames'")
                .doesNotContain(READER_PASSWORD);
        assertThat(endOffsets()).isEqualTo(before);
    }

    @Test
    void printedConfigsAndLogsNeverContainThePasswords() throws Exception {
        String inline = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"depthstream-job\""
                + " password=\"" + JOB_PASSWORD + "\";";
        for (String print : List.of("--print-config", "--print-submit")) {
            Run referenced = cli("stream", "--config", jobConfig.toString(), "--bootstrap", broker.bootstrap(),
                    print);
            assertThat(referenced.exit()).as(referenced.err()).isZero();
            assertThat(referenced.out())
                    .contains("${file:" + jobConfig.getParent() + "/kafka-secrets.properties:sasl.jaas.config}")
                    .doesNotContain("holds a secret inline");
            assertNoSecretIn(referenced.out() + referenced.err());

            Run inlined = cli("stream", "--config", jobConfig.toString(), "--bootstrap", broker.bootstrap(),
                    "--kafka-property", "sasl.jaas.config=" + inline,
                    "--kafka-property", "ssl.truststore.password=" + broker.truststorePassword(), print);
            assertThat(inlined.exit()).as(inlined.err()).isZero();
            assertThat(inlined.out())
                    .contains("# kafka.properties.sasl.jaas.config holds a secret inline, printed [redacted]")
                    .contains("# kafka.properties.ssl.truststore.password holds a secret inline")
                    .containsPattern("username=\\\\?\"depthstream-job\\\\?\" password=\\\\?\"\\[redacted]\\\\?\"");
            assertNoSecretIn(inlined.out() + inlined.err());
        }
        assertNoSecretIn(logs.text());
    }

    private static void assertNoSecretIn(String text) {
        for (String secret : List.of(JOB_PASSWORD, CAMERA_PASSWORD, VIEWER_PASSWORD, READER_PASSWORD,
                broker.truststorePassword())) {
            assertThat(text).as("a secret in the output").doesNotContain(secret);
        }
    }

    /** A fenced block of docs/DEPLOY.md after its example marker, with /etc/depthstream/ and the broker replaced. */
    private static String example(String deploy, String name, Path etc) {
        Matcher block = Pattern.compile("<!-- secured-kafka-example: " + Pattern.quote(name)
                + " -->\\n```[a-z]*\\n(.*?)```", Pattern.DOTALL).matcher(deploy);
        assertThat(block.find()).as("example " + name + " in docs/DEPLOY.md").isTrue();
        return block.group(1).replace("/etc/depthstream/", etc + "/")
                .replace("kafka-1.example.com:9093", broker.bootstrap());
    }

    private static Map<String, String> saslSsl(String user, String password, Path truststore) {
        Map<String, String> properties = new HashMap<>();
        properties.put("security.protocol", "SASL_SSL");
        properties.put("sasl.mechanism", "SCRAM-SHA-512");
        properties.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"" + user + "\" password=\"" + password + "\";");
        properties.put("ssl.truststore.location", truststore.toString());
        properties.put("ssl.truststore.type", "PKCS12");
        properties.put("ssl.truststore.password", broker.truststorePassword());
        return properties;
    }

    private static Path properties(String name, Map<String, String> values) throws Exception {
        StringBuilder text = new StringBuilder();
        values.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\"))
                .append('\n'));
        return Files.writeString(dir.resolve(name + ".properties"), text.toString());
    }

    private static Run replay(Path clientProperties) throws Exception {
        return cli("replay", "--bootstrap", broker.bootstrap(), "--kafka-config", clientProperties.toString(),
                "--data", synthesize(dir.resolve("drives")).toString(), "--rate", "max", "--timeout", "4");
    }

    private static Run stream(String... extra) {
        List<String> args = new ArrayList<>(List.of("stream", "--config", jobConfig.toString(), "--bootstrap",
                broker.bootstrap(), "--state-dir", dir.resolve("state-" + System.nanoTime()).toString()));
        args.addAll(List.of(extra));
        return cli(args.toArray(String[]::new));
    }

    /** One synthetic drive of 12 frames at 320x96 in KITTI's archive format (made once). */
    private static synchronized Path synthesize(Path out) {
        if (!Files.isDirectory(out)) {
            Run synth = cli("synth", "--out", out.toString(), "--frames", "12", "--size", "320x96");
            assertThat(synth.exit()).as(synth.err()).isZero();
        }
        return out;
    }

    private static Map<String, Long> endOffsets() throws Exception {
        Map<String, Long> ends = new HashMap<>();
        try (Admin admin = broker.superAdmin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> topics = TOPICS.stream().filter(existing::contains).toList();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicDescription description : admin.describeTopics(topics).allTopicNames()
                    .get(30, TimeUnit.SECONDS).values()) {
                description.partitions().forEach(p -> request.put(
                        new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
            }
            admin.listOffsets(request).all().get(30, TimeUnit.SECONDS)
                    .forEach((partition, info) -> ends.merge(partition.topic(), info.offset(), Long::sum));
        }
        return ends;
    }

    private static Run cli(String... args) {
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        if (exit != 0) {
            // the one-line errors, in the CI log for reading
            System.out.println("SecuredKafkaIT " + args[0] + " exit " + exit + ": " + err.toString().strip());
        }
        return new Run(exit, out.toString(), err.toString());
    }

    private static Path repositoryRoot() {
        Path here = Paths.get("").toAbsolutePath();
        return Files.exists(here.resolve("docs/DEPLOY.md")) ? here : here.getParent();
    }

    /** What a command printed and returned. */
    private record Run(int exit, String out, String err) {
        /** The lines on stderr that are not progress output. */
        List<String> errLines() {
            return err.lines().filter(line -> !line.isBlank()).filter(line -> !line.startsWith("replay "))
                    .collect(Collectors.toList());
        }
    }

    /**
     * Every log event of this JVM from INFO up (Kafka's clients log their whole configuration at INFO), kept in
     * memory; the console keeps showing only warnings.
     */
    private static final class LogCapture extends AbstractAppender {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private Level previousRootLevel;

        private LogCapture() {
            super("secured-kafka-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        static LogCapture install() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            Configuration configuration = context.getConfiguration();
            LoggerConfig root = configuration.getRootLogger();
            LogCapture capture = new LogCapture();
            capture.start();
            capture.previousRootLevel = root.getLevel();
            Map<String, Appender> appenders = new HashMap<>(root.getAppenders());
            for (Map.Entry<String, Appender> appender : appenders.entrySet()) {
                root.removeAppender(appender.getKey());
                root.addAppender(appender.getValue(), capture.previousRootLevel, null);
            }
            root.addAppender(capture, Level.INFO, null);
            root.setLevel(Level.INFO);
            context.updateLoggers();
            return capture;
        }

        void remove() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            LoggerConfig root = context.getConfiguration().getRootLogger();
            root.removeAppender(getName());
            root.setLevel(previousRootLevel);
            context.updateLoggers();
            stop();
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line = new StringBuilder(event.getMessage().getFormattedMessage());
            for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
                line.append(" | ").append(t);
            }
            lines.add(line.toString());
        }

        String text() {
            assertThat(lines).as("captured log lines").isNotEmpty();
            return String.join("\n", lines);
        }
    }
}
