package io.depthstream.it;

import ai.djl.Device;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.fault.UnrunnableJobException;
import io.depthstream.operators.inference.InferenceOperator;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.ModelUpdate;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.operators.learner.VersionMetrics;
import io.depthstream.pipeline.cli.DepthstreamCommand;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Model faults against a real Kafka broker and Flink MiniCluster: weights that cannot be loaded stop {@code stream} at
 * startup with one line naming their path, and a model update announcing a version that cannot be loaded is refused
 * while the running job keeps serving the version it has.
 */
class ModelFaultsIT {

    private static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 64);

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /** Exit status and what a command printed on stderr. */
    private record Run(int exit, String err) {}

    @Test
    void streamRefusesAMissingWeightsDirectoryAtStartupNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-weights");

        Run run = stream(missing);

        assertOneLineErrorNaming(run, missing.toString(), "does not exist");
    }

    @Test
    void streamRefusesTruncatedWeightsAtStartupNamingTheFile(@TempDir Path dir) throws Exception {
        Path weights = savedWeights(dir.resolve("truncated"));
        Path depthParams = weights.resolve("depth.params");
        byte[] whole = Files.readAllBytes(depthParams);
        Files.write(depthParams, java.util.Arrays.copyOf(whole, whole.length / 2));

        Run run = stream(weights);

        assertOneLineErrorNaming(run, depthParams.toString(), "corrupt");
    }

    @Test
    void streamRefusesAnUnreadableWeightsConfigAtStartupNamingIt(@TempDir Path dir) throws Exception {
        Path weights = savedWeights(dir.resolve("bad-config"));
        Path config = weights.resolve(ModelWeights.CONFIG_FILE);
        String json = Files.readString(config);
        Files.writeString(config, json.substring(0, json.length() / 2));

        Run run = stream(weights);

        assertOneLineErrorNaming(run, config.toString(), "not valid JSON");
    }

    @Test
    void weightsATaskManagerCannotLoadFailTheJobOnceInsteadOfRestartingIt(@TempDir Path dir) throws Exception {
        // the client loads the weights before it submits; then they vanish, as on a cluster whose TaskManagers lack
        // a path the client has
        Path weights = savedWeights(dir.resolve("client-only"));
        StreamingConfig config = StreamingConfig.defaults()
                .withModel(new StreamingConfig.Model(weights.toString(), null, "lite", LITE.height(), LITE.width(), 3,
                        "cpu", 4, 50, null, "every-frame", 1000))
                .withCheckpoints(new StreamingConfig.Checkpoints(500,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()))
                .withParallelism(1)
                .withOwnTopics(kafka.bootstrapServers(), "vanishing", 1);
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1,
                StreamingJob.localConfiguration());
        StreamingJob.define(env, config);
        for (Path file : Files.list(weights).toList()) {
            Files.delete(file);
        }
        Files.delete(weights);
        JobClient job = env.executeAsync(StreamingJob.NAME);

        // a recoverable failure would restart the job (exponential back-off from 1 s) and never end it
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
                () -> job.getJobExecutionResult().get(2, TimeUnit.MINUTES));

        assertThat(failure).as("the job failed instead of restarting").isInstanceOf(
                java.util.concurrent.ExecutionException.class);
        assertThat(UnrunnableJobException.messageIn(failure)).as(String.valueOf(failure))
                .startsWith("this TaskManager cannot load the configured weights: ").contains(weights.toString());
    }

    @Test
    void updatesToMissingOrCorruptVersionsAreRefusedAndTheServedVersionKeepsServing(@TempDir Path dir)
            throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models").toString());
        StreamingConfig config = fineTuneConfig(dir, store);
        InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
        Configuration flink = reporter.addToConfiguration(StreamingJob.localConfiguration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(), flink);
        StreamingJob.define(env, config);
        JobClient job = env.executeAsync(StreamingJob.NAME);
        SteadyFeed feed = new SteadyFeed(kafka.bootstrapServers(), config.kafka().topics().frames(),
                config.kafka().topics().depth(), List.of(camera("cam-a", 31), camera("cam-b", 32)), 20, 100_000, 4, 40);
        try (DepthHeaders reader = new DepthHeaders(kafka.bootstrapServers(), config.kafka().topics().depth())) {
            feed.start();
            assertThat(reader.readAtLeast(1, Duration.ofMinutes(2))).as("a first result within 2 min").isTrue();
            feed.release();
            assertThat(reader.readAtLeast(20, Duration.ofMinutes(1))).as("20 results within a minute").isTrue();
            assertThat(reader.results()).as("the job serves the store's start version")
                    .allSatisfy(r -> assertThat(r.version()).isEqualTo("v0"));

            // v5 is announced but was never written; v6 is complete (marker and all) but its depth weights are cut
            String missing = store.uri() + "/v5";
            PublishedVersion v0 = store.versions().get(0);
            String corrupt = corruptCopy(v0, dir.resolve("models").resolve("v6"));
            announce(config, new ModelUpdate("v5", missing, 10, Instant.now(), Map.of()));
            announce(config, new ModelUpdate("v6", corrupt, 20, Instant.now(), Map.of()));
            long refused = awaitCounter(reporter, job, InferenceOperator.REFUSED_METRIC, n -> n >= 2,
                    Duration.ofMinutes(1));
            long afterRefusal = feed.nextSeq();
            assertThat(refused).as("both bad updates refused by the one inference subtask").isEqualTo(2);
            assertThat(reader.readUntil(results -> seenAfter(results, afterRefusal, 10), Duration.ofMinutes(1)))
                    .as("ten results per camera from frames sent after the refusals").isTrue();
            assertThat(reader.results()).as("every result, before and after the bad updates, by the served v0")
                    .allSatisfy(r -> assertThat(r.version()).isEqualTo("v0"));
            assertThat(counter(reporter, job, InferenceOperator.SWAPS_METRIC)).as("swaps").isZero();

            // a loadable version after them is still taken: the updates did reach inference and were judged one by one
            PublishedVersion v7;
            try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 77)) {
                v7 = store.publish(model, VersionMetrics.of(30, 0.1, 0.1, Instant.now()));
            }
            assertThat(v7.name()).isEqualTo("v7");
            announce(config, ModelUpdate.of(v7));
            awaitCounter(reporter, job, InferenceOperator.SWAPS_METRIC, n -> n >= 1, Duration.ofMinutes(1));
            long afterSwap = feed.nextSeq();
            assertThat(reader.readUntil(results -> seenAfter(results, afterSwap, 10), Duration.ofMinutes(1)))
                    .as("ten results per camera from frames sent after the swap").isTrue();
            assertThat(reader.results().stream().filter(r -> r.seq() >= afterSwap))
                    .allSatisfy(r -> assertThat(r.version()).isEqualTo("v7"));
            assertThat(counter(reporter, job, InferenceOperator.REFUSED_METRIC)).as("refused in all").isEqualTo(2);
            assertThat(restarts(reporter, job)).as("the job never restarted").isZero();
        } finally {
            feed.close();
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    /** Runs {@code depthstream stream} on {@code weights} against the broker; it must come back within 2 minutes. */
    private static Run stream(Path weights) {
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        // a fault found only once the job runs would keep it restarting: the command would never come back
        int exit = assertTimeoutPreemptively(Duration.ofMinutes(2), () -> commandLine.execute("stream",
                        "--bootstrap", kafka.bootstrapServers(), "--weights", weights.toString()),
                () -> "stream did not stop on " + weights + "; stderr so far:\n" + err);
        return new Run(exit, err.toString());
    }

    private static void assertOneLineErrorNaming(Run run, String path, String problem) {
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        String err = run.err().strip();
        assertThat(err).as("one line").doesNotContain("\n");
        assertThat(err).startsWith("error: ").contains(path).contains(problem);
        assertThat(err).as("no job was started").doesNotContain("streaming job");
    }

    /** Native weights of a seeded lite model, written to {@code directory}. */
    private static Path savedWeights(Path directory) {
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            ModelWeights.save(model, directory, Map.of());
        }
        return directory;
    }

    /** A version directory holding {@code source}'s files with the depth weights cut in half; returns its path. */
    private static String corruptCopy(PublishedVersion source, Path directory) throws Exception {
        Path from = Path.of(java.net.URI.create(source.uri()));
        Files.createDirectories(directory);
        try (var files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, directory.resolve(file.getFileName()));
            }
        }
        Path depth = directory.resolve("depth.params");
        byte[] whole = Files.readAllBytes(depth);
        Files.write(depth, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThat(directory.resolve(ModelStore.COMPLETE_MARKER)).exists();
        return directory.toString();
    }

    private static void announce(StreamingConfig config, ModelUpdate update) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // one key: the announcements stay in order on one partition
            producer.send(new ProducerRecord<>(config.kafka().topics().modelUpdates(),
                    "model".getBytes(StandardCharsets.UTF_8), update.toJson()));
            producer.flush();
        }
    }

    /** Whether every camera has at least {@code count} results of frames numbered {@code seq} or later. */
    private static boolean seenAfter(List<DepthHeaders.Result> results, long seq, int count) {
        return List.of("cam-a", "cam-b").stream().allMatch(camera ->
                results.stream().filter(r -> r.camera().equals(camera) && r.seq() >= seq).count() >= count);
    }

    /** Waits until the inference counter {@code name}, summed over subtasks, satisfies {@code done}; returns it. */
    private static long awaitCounter(InMemoryReporter reporter, JobClient job, String name, Predicate<Long> done,
            Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long value = counter(reporter, job, name);
        while (!done.test(value)) {
            assertThat(System.nanoTime()).as("%s reached only %d in %s", name, value, timeout).isLessThan(deadline);
            Thread.sleep(100);
            value = counter(reporter, job, name);
        }
        return value;
    }

    /** The inference operator's counter {@code name}, summed over its subtasks. */
    private static long counter(InMemoryReporter reporter, JobClient job, String name) {
        List<OperatorMetricGroup> groups = reporter.findOperatorMetricGroups(job.getJobID(), InferenceOperator.UID);
        assertThat(groups).as("metric groups of the inference operator").isNotEmpty();
        long sum = 0;
        for (OperatorMetricGroup group : groups) {
            Metric metric = reporter.getMetricsByGroup(group).get(name);
            assertThat(metric).as("inference metric %s", name).isInstanceOf(Counter.class);
            sum += ((Counter) metric).getCount();
        }
        return sum;
    }

    /** How often the job has restarted (Flink's {@code numRestarts}). */
    private static long restarts(InMemoryReporter reporter, JobClient job) {
        List<Tuple3<MetricGroup, String, Metric>> found = reporter.findJobMetricGroups(job.getJobID(), "numRestarts");
        assertThat(found).as("the job's numRestarts").isNotEmpty();
        long sum = 0;
        for (Tuple3<MetricGroup, String, Metric> metric : found) {
            sum += ((Number) ((Gauge<?>) metric.f2).getValue()).longValue();
        }
        return sum;
    }

    /** A camera cycling through 8 frames of a synthetic drive at 64x64, PNG-encoded once. */
    private static SteadyFeed.Camera camera(String id, long seed) {
        SyntheticDrive drive = SyntheticDrive.generate(seed, new DriveOptions(8, 64, 64, false, false));
        List<byte[]> pngs = new ArrayList<>();
        for (int i = 0; i < drive.frames(); i++) {
            pngs.add(drive.render(i).image().encodePng());
        }
        return new SteadyFeed.Camera(id, drive.intrinsics(), pngs);
    }

    /**
     * Fine-tuning on with a store that starts empty (the job publishes its random lite start model as v0), a learner
     * that never trains (every triplet counts as static, so none is sampled) and so never publishes: the only updates
     * are the ones this test announces. Parallelism 1, checkpoints every 500 ms, topics of its own.
     */
    private static StreamingConfig fineTuneConfig(Path dir, ModelStore store) throws Exception {
        String prefix = "faults";
        StreamingConfig.FineTune d = StreamingConfig.FineTune.defaults();
        StreamingConfig config = StreamingConfig.defaults()
                .withModel(new StreamingConfig.Model(null, "random", "lite", LITE.height(), LITE.width(), 3, "cpu", 4,
                        50, null, "every-frame", 1000))
                .withTriplets(new StreamingConfig.Triplets(500, 10, 1000, 600_000))
                .withCheckpoints(new StreamingConfig.Checkpoints(500,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()))
                .withFineTune(new StreamingConfig.FineTune(true, store.uri(), d.sampleRate(), 0.99,
                        d.learningRate(), d.batchSize(), d.bufferCapacity(), d.heldOutCapacity(), d.heldOutEvery(),
                        d.evaluateEvery(), d.tolerance(), d.triplet(), "cpu", d.maxShare(), d.threads(),
                        d.automaskWarmup(), d.replay()));
        config = config.withParallelism(1).withOwnTopics(kafka.bootstrapServers(), prefix, 1);
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }
}
