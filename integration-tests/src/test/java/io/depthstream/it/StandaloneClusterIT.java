package io.depthstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Flink standalone session cluster on this machine (deploy/standalone/cluster.sh: a JobManager and
 * TaskManagers as separate JVMs from Flink's own classes, Flink's lib/ + DJL as class path), the job jar submitted
 * with deploy/standalone/flink exactly as {@code depthstream stream --print-submit} prints it, against a real Kafka
 * broker in this JVM. One cluster serves every scenario, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {

    private static final long BASE_TIME_MS = 1_700_000_000_000L;
    private static final int CAMERAS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path repository;
    private static Path cliJar;
    private static Path work;
    private static Path clusterDir;
    private static Map<String, String> clusterEnv;
    private static int restPort;
    private static EmbeddedKafka kafka;
    private static List<List<byte[]>> pngs;
    private static List<SyntheticDrive> drives;

    /** Exit status and output (stdout and stderr together) of a process. */
    record Result(int exit, String output) {}

    @BeforeAll
    static void startBrokerAndCluster() throws Exception {
        cliJar = Paths.get(System.getProperty("depthstream.cli.jar")).toAbsolutePath().normalize();
        assertThat(cliJar).as("the pipeline module packages the CLI jar before integration tests").isRegularFile();
        repository = cliJar.getParent().getParent().getParent();
        work = Files.createTempDirectory("standalone-cluster-it");
        clusterDir = work.resolve("cluster");
        // the broker first: its listeners take ephemeral ports, which must not be the ones chosen for the cluster
        kafka = EmbeddedKafka.start();
        restPort = freePorts(1);
        clusterEnv = new HashMap<>();
        clusterEnv.put("DEPTHSTREAM_CLUSTER_DIR", clusterDir.toString());
        clusterEnv.put("DEPTHSTREAM_REST_PORT", Integer.toString(restPort));
        // the blob server takes the RPC port + 1; TaskManager i reports metrics on the metrics port + i
        clusterEnv.put("DEPTHSTREAM_RPC_PORT", Integer.toString(freePorts(2)));
        clusterEnv.put("DEPTHSTREAM_METRICS_PORT", Integer.toString(freePorts(5)));
        // the printed `flink run` line runs verbatim from a directory that looks like the repository root
        Files.createSymbolicLink(work.resolve("pipeline"), repository.resolve("pipeline"));
        Files.createSymbolicLink(work.resolve("deploy"), repository.resolve("deploy"));
        drives = new ArrayList<>();
        pngs = new ArrayList<>();
        for (int c = 0; c < CAMERAS; c++) {
            SyntheticDrive drive = SyntheticDrive.generate(40 + c, new DriveOptions(6, 320, 96, false, false));
            drives.add(drive);
            List<byte[]> images = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                images.add(drive.render(i).image().encodePng());
            }
            pngs.add(images);
        }
        long start = System.nanoTime();
        Result started = cluster("start", "--taskmanagers", "2");
        assertThat(started.exit()).as(started.output()).isZero();
        System.out.printf("StandaloneClusterIT: cluster of 1 JobManager + 2 TaskManagers up in %.1f s%n",
                (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void stopClusterAndBroker() throws Exception {
        try {
            if (clusterEnv != null) {
                Result stopped = cluster("stop");
                System.out.println("StandaloneClusterIT: " + stopped.output().strip());
                Result again = cluster("stop");
                assertThat(again.exit()).as("a second stop is harmless: " + again.output()).isZero();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    @Order(1)
    void theJobJarSubmittedAsPrintSubmitSaysRunsEveryFrameExactlyOnceOnTwoTaskManagers() throws Exception {
        StreamingConfig config = config("s1", 2);
        Submission job = submit(config, null);
        try (OutputReader reader = reader(config)) {
            send(config, 0, 10);
            OutputRecords out = reader.readUntil(CAMERAS * 10, Duration.ofMinutes(4), n -> { });
            assertThat(out.depth()).as(logs()).hasSizeGreaterThanOrEqualTo(CAMERAS * 10);
            assertThat(taskManagersRunning(job.jobId())).as("both TaskManagers run subtasks").isEqualTo(2);
            cancel(job);
            out = reader.drain(Duration.ofSeconds(2));
            assertExactlyOnce(out, 0, 10);
            assertThat(out.rejected()).as("nothing on the dead-letter topic").isEmpty();
        }
    }

    @Test
    @Order(2)
    void stopWithASavepointThenResumeAtParallelismOneThenTwoLosesAndRepeatsNothing() throws Exception {
        StreamingConfig config = config("s3", 2);
        Path savepoints = work.resolve("s3-savepoints");
        try (OutputReader reader = reader(config)) {
            Submission first = submit(config, null);
            send(config, 0, 8);
            reader.readUntil(20, Duration.ofMinutes(4), n -> { });
            String savepoint1 = stopWithSavepoint(first, savepoints);

            send(config, 8, 16);
            Submission second = submit(config.withParallelism(1), savepoint1);
            reader.readUntil(50, Duration.ofMinutes(4), n -> { });
            String savepoint2 = stopWithSavepoint(second, savepoints);

            send(config, 16, 24);
            Submission third = submit(config.withParallelism(2), savepoint2);
            OutputRecords out = reader.readUntil(CAMERAS * 24, Duration.ofMinutes(4), n -> { });
            assertThat(out.depth()).as(logs()).hasSizeGreaterThanOrEqualTo(CAMERAS * 24);
            cancel(third);
            out = reader.drain(Duration.ofSeconds(2));
            assertExactlyOnce(out, 0, 24);
            assertThat(out.rejected()).isEmpty();
        }
    }

    @Test
    @Order(3)
    void aTaskManagerKilledMidStreamIsReplacedAndTheJobRecoversFromItsCheckpointExactlyOnce() throws Exception {
        StreamingConfig config = config("s2", 2);
        try (OutputReader reader = reader(config)) {
            Submission job = submit(config, null);
            send(config, 0, 8);
            reader.readUntil(16, Duration.ofMinutes(4), n -> { });
            assertThat(taskManagersRunning(job.jobId())).isEqualTo(2);

            String victim = Files.readString(clusterDir.resolve("pid/taskmanager-1.pid")).strip();
            long killed = System.nanoTime();
            Result kill = exec(work, Map.of(), List.of("kill", "-KILL", victim), Duration.ofSeconds(10));
            assertThat(kill.exit()).as(kill.output()).isZero();
            send(config, 8, 16);
            Result added = cluster("add-taskmanager");
            assertThat(added.exit()).as(added.output() + logs()).isZero();
            double addedSeconds = (System.nanoTime() - killed) / 1e9;
            awaitFailureSeen(job.jobId());
            double detectedSeconds = (System.nanoTime() - killed) / 1e9;
            awaitRunning(job.jobId());
            double runningSeconds = (System.nanoTime() - killed) / 1e9;
            OutputRecords out = reader.readUntil(CAMERAS * 16, Duration.ofMinutes(4), n -> { });
            double doneSeconds = (System.nanoTime() - killed) / 1e9;
            assertThat(out.depth()).as(logs()).hasSizeGreaterThanOrEqualTo(CAMERAS * 16);
            System.out.printf("StandaloneClusterIT: TaskManager killed; new one registered after %.1f s, failure seen"
                    + " by %.1f s, every task running again after %.1f s, all %d results committed after %.1f s%n",
                    addedSeconds, detectedSeconds, runningSeconds, CAMERAS * 16, doneSeconds);
            Result status = cluster("status");
            assertThat(status.output()).contains("taskmanager-1").contains("exited").contains("taskmanager-3");
            cancel(job);
            out = reader.drain(Duration.ofSeconds(2));
            assertExactlyOnce(out, 0, 16);
            assertThat(out.rejected()).isEmpty();
        }
    }

    @Test
    @Order(4)
    void theOfflineTrainingJobSubmittedToTheClusterFinishesAndWritesItsRunDirectory() throws Exception {
        Path data = work.resolve("kitti");
        int lines = 8;
        new SyntheticDriveWriter(21, 1, new DriveOptions(lines + 2, 192, 64, false, false)).write(data, (d, t) -> { });
        Path split = work.resolve("train.txt");
        StringBuilder text = new StringBuilder();
        for (int frame = 1; frame <= lines; frame++) {
            text.append("2011_09_26/").append(SyntheticDriveWriter.driveName(1)).append(' ').append(frame)
                    .append(" l\n");
        }
        Files.writeString(split, text);
        Path run = work.resolve("training-run");
        Result printed = exec(work, Map.of(), List.of(java(), "-Doffline=true", "-jar", cliJar.toString(), "train",
                "--data", data.toString(), "--train-split", split.toString(), "--out", run.toString(), "--arch",
                "lite", "--height", "64", "--width", "192", "--epochs", "2", "--batch", "4", "--parallelism", "1",
                "--device", "cpu", "--print-submit"), Duration.ofMinutes(2));
        assertThat(printed.exit()).as(printed.output()).isZero();
        String line = printed.output().lines().map(String::strip).filter(l -> l.startsWith("flink run "))
                .findFirst().orElseThrow(() -> new AssertionError(printed.output()));
        List<String> command = new ArrayList<>(List.of(line.split(" ")));
        command.set(0, "deploy/standalone/flink");

        long start = System.nanoTime();
        Result trained = exec(work, clusterEnv, command, Duration.ofMinutes(8));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(trained.exit()).as(trained.output() + logs()).isZero();
        assertThat(trained.output()).contains("Job has been submitted with JobID");
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertThat(metrics.get(0)).startsWith("step,epoch,loss,");
        assertThat(metrics).as("a row per step: 2 epochs of 8 lines in batches of 4").hasSize(1 + 4);
        assertThat(run.resolve("weights/epoch_1")).isDirectory();
        System.out.printf("StandaloneClusterIT: training job (2 epochs, 4 steps) on the cluster took %.1f s%n", seconds);
    }

    @Test
    @Order(5)
    void onlineFineTuningTrainsInATaskManagerOfItsOwnAndInferenceSwitchesVersionsMidStream() throws Exception {
        StreamingConfig base = config("s4", 1);
        Path models = work.resolve("models");
        StreamingConfig.FineTune d = StreamingConfig.FineTune.defaults();
        // as `demo --fine-tune`: every triplet sampled, a candidate every 4 steps, the learner never throttled
        StreamingConfig config = base.withFineTune(new StreamingConfig.FineTune(true, models.toString(),
                d.sampleRate(), d.staticThreshold(), d.learningRate(), d.batchSize(), d.bufferCapacity(),
                d.heldOutCapacity(), 5, 4, d.tolerance(), d.triplet(), "cpu", 1.0, d.threads(), d.automaskWarmup(),
                4));
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        try (OutputReader reader = reader(config)) {
            Submission job = submit(config, null);
            Map<String, String> placement = placement(job.jobId());
            assertThat(placement.get("learner")).as("the learner's TaskManager: " + placement).isNotNull();
            assertThat(placement.get("inference")).as("inference's TaskManager: " + placement).isNotNull()
                    .isNotEqualTo(placement.get("learner"));

            int sent = 0;
            OutputRecords out = null;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline) {
                send(config, sent, sent + 10);
                sent += 10;
                out = reader.readUntil(CAMERAS * sent, Duration.ofMinutes(2), n -> { });
                if (out.depth().stream().anyMatch(r -> !"v0".equals(r.modelVersion()))) {
                    break;
                }
            }
            // a last round served by whatever version inference holds now
            send(config, sent, sent + 10);
            sent += 10;
            out = reader.readUntil(CAMERAS * sent, Duration.ofMinutes(2), n -> { });
            cancel(job);
            out = reader.drain(Duration.ofSeconds(2));

            assertExactlyOnce(out, 0, sent);
            Set<String> versions = new HashSet<>();
            for (int c = 0; c < CAMERAS; c++) {
                String camera = camera(c);
                List<Integer> served = out.depth().stream().filter(r -> r.cameraId().equals(camera))
                        .sorted(Comparator.comparingLong(OutputRecords.DepthRecord::seq))
                        .map(r -> PublishedVersion.parseNumber(r.modelVersion())).toList();
                assertThat(served).as(camera + ": versions never go back").isSorted();
                out.depth().stream().map(OutputRecords.DepthRecord::modelVersion).forEach(versions::add);
            }
            assertThat(versions).as("inference switched from v0 to a published version mid-stream").contains("v0")
                    .hasSizeGreaterThanOrEqualTo(2);
            assertThat(new ModelStore(models.toString()).versions()).hasSizeGreaterThanOrEqualTo(2);
            System.out.printf("StandaloneClusterIT: fine-tuning on the cluster: learner on %s, inference on %s;"
                    + " %d frames, versions served %s%n", placement.get("learner"), placement.get("inference"),
                    CAMERAS * sent, new java.util.TreeSet<>(versions));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Waits until the job's exception history shows a failure (REST /jobs/ID/exceptions). */
    private static void awaitFailureSeen(String jobId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            JsonNode exceptions = JSON.readTree(rest("/jobs/" + jobId + "/exceptions"));
            if (exceptions.path("exceptionHistory").path("entries").size() > 0) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no failure of job " + jobId + " seen within 3 min" + logs());
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A random lite model at 192x64, four partitions, checkpoints every 500 ms into the cluster's directory. */
    private static StreamingConfig config(String prefix, int parallelism) {
        StreamingConfig own = StreamingConfig.defaults().withOwnTopics(kafka.bootstrapServers(), prefix, CAMERAS);
        StreamingConfig config = new StreamingConfig(own.kafka(),
                new StreamingConfig.Model(null, "random", "lite", 64, 192, 3, "cpu", 4, 50, null, "every-frame", 1000),
                new StreamingConfig.Triplets(500, 10, 1000, 600_000), own.output(),
                new StreamingConfig.Checkpoints(500, null), parallelism, own.fineTune());
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }

    /** A submitted job: its id and how long the client took. */
    record Submission(String jobId, double seconds) {}

    /**
     * Runs {@code depthstream stream --print-submit} on {@code config}, saves the printed config as depthstream.yaml
     * and runs the printed {@code flink run} line verbatim, with deploy/standalone/flink for flink (and {@code -s
     * SAVEPOINT} after {@code run} when given).
     */
    private static Submission submit(StreamingConfig config, String savepoint) throws Exception {
        Path base = Files.createTempFile(work, "base-", ".yaml");
        Files.writeString(base, ConfigFiles.print(config));
        Result printed = exec(work, Map.of(), List.of(java(), "-Doffline=true", "-jar", cliJar.toString(), "stream",
                "--print-submit", "--config", base.toString()), Duration.ofMinutes(2));
        assertThat(printed.exit()).as(printed.output()).isZero();
        String line = null;
        StringBuilder yaml = new StringBuilder();
        for (String l : printed.output().split("\n")) {
            if (l.startsWith("#   flink run ")) {
                line = l.substring("#   ".length());
            } else if (!l.startsWith("#")) {
                yaml.append(l).append('\n');
            }
        }
        assertThat(line).as(printed.output()).isNotNull();
        Files.writeString(work.resolve("depthstream.yaml"), yaml);
        List<String> command = new ArrayList<>(List.of(line.split(" ")));
        assertThat(command.get(0)).isEqualTo("flink");
        command.set(0, "deploy/standalone/flink");
        if (savepoint != null) {
            command.addAll(2, List.of("-s", savepoint));
        }
        long start = System.nanoTime();
        Result run = exec(work, clusterEnv, command, Duration.ofMinutes(3));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(run.exit()).as(run.output() + logs()).isZero();
        Matcher id = Pattern.compile("JobID ([0-9a-f]{32})").matcher(run.output());
        assertThat(id.find()).as(run.output()).isTrue();
        System.out.printf("StandaloneClusterIT: submitted %s (parallelism %d%s) in %.1f s%n", id.group(1),
                config.parallelism(), savepoint == null ? "" : ", from " + savepoint, seconds);
        awaitRunning(id.group(1));
        return new Submission(id.group(1), seconds);
    }

    /** {@code flink stop --savepointPath DIR JOB}; returns the savepoint's path and reports its size and time. */
    private static String stopWithSavepoint(Submission job, Path directory) throws Exception {
        long start = System.nanoTime();
        Result stop = exec(work, clusterEnv, List.of("deploy/standalone/flink", "stop", "--savepointPath",
                directory.toUri().toString(), job.jobId()), Duration.ofMinutes(3));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(stop.exit()).as(stop.output() + logs()).isZero();
        Matcher path = Pattern.compile("Savepoint completed\\. Path: (\\S+)").matcher(stop.output());
        assertThat(path.find()).as(stop.output()).isTrue();
        String savepoint = path.group(1);
        long bytes = size(Paths.get(java.net.URI.create(savepoint)));
        System.out.printf("StandaloneClusterIT: stop with savepoint %s took %.1f s, savepoint %.1f KiB%n", savepoint,
                seconds, bytes / 1024.0);
        return savepoint;
    }

    private static void cancel(Submission job) throws Exception {
        Result cancel = exec(work, clusterEnv, List.of("deploy/standalone/flink", "cancel", job.jobId()),
                Duration.ofMinutes(2));
        assertThat(cancel.exit()).as(cancel.output()).isZero();
    }

    /** Waits until every task of the job runs (REST /jobs/ID). */
    private static void awaitRunning(String jobId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        String body = "";
        while (System.nanoTime() < deadline) {
            body = rest("/jobs/" + jobId);
            JsonNode job = JSON.readTree(body);
            if ("RUNNING".equals(job.path("state").asText())
                    && job.path("status-counts").path("RUNNING").asInt() > 0
                    && job.path("vertices").size() > 0) {
                boolean all = true;
                for (JsonNode vertex : job.path("vertices")) {
                    all &= "RUNNING".equals(vertex.path("status").asText());
                }
                if (all) {
                    return;
                }
            }
            assertThat(job.path("state").asText()).as(body + logs()).isNotIn("FAILED", "CANCELED", "FINISHED");
            Thread.sleep(500);
        }
        throw new AssertionError("job " + jobId + " not running after 3 min: " + body + logs());
    }

    /** The TaskManager of the learner's and of inference's (first) subtask, by the job's vertex names. */
    private static Map<String, String> placement(String jobId) throws Exception {
        Map<String, String> placement = new HashMap<>();
        JsonNode job = JSON.readTree(rest("/jobs/" + jobId));
        for (JsonNode vertex : job.path("vertices")) {
            String name = vertex.path("name").asText();
            String role = name.contains("learner") ? "learner" : name.contains("inference") ? "inference" : null;
            if (role != null) {
                JsonNode detail = JSON.readTree(rest("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText()));
                placement.put(role, detail.path("subtasks").path(0).path("taskmanager-id").asText());
            }
        }
        return placement;
    }

    /** How many TaskManagers run a subtask of the job. */
    private static int taskManagersRunning(String jobId) throws Exception {
        Set<String> hosts = new HashSet<>();
        JsonNode job = JSON.readTree(rest("/jobs/" + jobId));
        for (JsonNode vertex : job.path("vertices")) {
            JsonNode detail = JSON.readTree(rest("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText()));
            for (JsonNode subtask : detail.path("subtasks")) {
                hosts.add(subtask.path("taskmanager-id").asText());
            }
        }
        hosts.remove("");
        return hosts.size();
    }

    private static String rest(String path) throws Exception {
        Result curl = exec(work, Map.of(), List.of("curl", "-sf", "--max-time", "10",
                "http://localhost:" + restPort + path), Duration.ofSeconds(20));
        assertThat(curl.exit()).as("GET " + path + ": " + curl.output()).isZero();
        return curl.output();
    }

    /**
     * Every frame from {@code from} to {@code to - 1} of every camera exactly once on depth and on poses, and each
     * camera's trajectory unbroken: its pose restarts at the identity only at its first frame (a restore that lost
     * the camera's track would restart it there too).
     */
    private static void assertExactlyOnce(OutputRecords out, int from, int to) throws IOException {
        List<String> seen = out.depth().stream().map(r -> r.cameraId() + "#" + r.seq()).toList();
        Set<String> expected = new HashSet<>();
        for (int c = 0; c < CAMERAS; c++) {
            for (int seq = from; seq < to; seq++) {
                expected.add(camera(c) + "#" + seq);
            }
        }
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(expected);
        List<String> poseKeys = new ArrayList<>();
        Map<String, Integer> restarts = new HashMap<>();
        for (String pose : out.poses()) {
            JsonNode node = JSON.readTree(pose);
            poseKeys.add(node.path("camera").asText() + "#" + node.path("seq").asLong());
            if (isIdentity(node.path("T_world_cam")) && node.path("seq").asLong() > from) {
                restarts.merge(node.path("camera").asText(), 1, Integer::sum);
            }
        }
        assertThat(poseKeys).doesNotHaveDuplicates();
        assertThat(new HashSet<>(poseKeys)).isEqualTo(expected);
        assertThat(restarts).as("trajectories that restarted after their first frame").isEmpty();
    }

    private static boolean isIdentity(JsonNode matrix) {
        double[] identity = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
        for (int i = 0; i < 12; i++) {
            if (Math.abs(matrix.path(i).asDouble() - identity[i]) > 1e-9) {
                return false;
            }
        }
        return true;
    }

    /** Frames {@code from} to {@code to - 1} of every camera, camera c on partition c. */
    private static void send(StreamingConfig config, int from, int to) {
        FrameRecordEncoder encoder = new FrameRecordEncoder(config.kafka().topics().frames());
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int seq = from; seq < to; seq++) {
                for (int c = 0; c < CAMERAS; c++) {
                    ProducerRecord<byte[], byte[]> record = encoder.encode(camera(c), seq, BASE_TIME_MS + 100L * seq,
                            drives.get(c).intrinsics(), pngs.get(c).get(seq % pngs.get(c).size()), null);
                    producer.send(new ProducerRecord<>(record.topic(), c, record.timestamp(), record.key(),
                            record.value(), record.headers()));
                }
            }
            producer.flush();
        }
    }

    private static String camera(int c) {
        return "cam-" + c;
    }

    private static OutputReader reader(StreamingConfig config) {
        return new OutputReader(kafka.bootstrapServers(), config.kafka().topics().depth(),
                config.kafka().topics().poses(), config.kafka().topics().dlq());
    }

    private static Result cluster(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(repository.resolve("deploy/standalone/cluster.sh").toString());
        command.addAll(List.of(args));
        return exec(repository, clusterEnv, command, Duration.ofMinutes(5));
    }

    /** The tails of the cluster's logs, for failure messages. */
    private static String logs() {
        StringBuilder text = new StringBuilder("\n--- cluster logs (tails) ---\n");
        try (Stream<Path> files = Files.list(clusterDir.resolve("log"))) {
            for (Path file : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(file);
                text.append("== ").append(file.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 25), lines.size())
                        .forEach(l -> text.append(l).append('\n'));
            }
        } catch (IOException e) {
            text.append("(cannot read: ").append(e.getMessage()).append(")\n");
        }
        return text.toString();
    }

    static Result exec(Path directory, Map<String, String> environment, List<String> command, Duration timeout)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("standalone-it-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + ":\n"
                        + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The first of {@code count} consecutive ports free now, below the range the OS hands out for port 0. */
    private static int freePorts(int count) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20000 + (int) (Math.random() * 10000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    held.add(new ServerSocket(base + i));
                }
                return base;
            } catch (IOException taken) {
                // try another block
            } finally {
                for (ServerSocket socket : held) {
                    socket.close();
                }
            }
        }
        throw new IOException("no " + count + " consecutive free ports found");
    }

    private static long size(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
