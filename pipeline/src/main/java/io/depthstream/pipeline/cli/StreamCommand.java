package io.depthstream.pipeline.cli;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.io.ShippedModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.inference.FramePolicy;
import io.depthstream.operators.schedule.DecodeLayout;
import io.depthstream.operators.schedule.DecodePlan;
import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.job.StreamingJob;
import io.depthstream.pipeline.job.StreamingJobMain;
import io.depthstream.pipeline.job.TopicSpec;
import io.depthstream.operators.fault.UnrunnableJobException;
import io.depthstream.pipeline.job.StateDirectory;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import io.depthstream.pipeline.kafka.KafkaErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** {@code depthstream stream}: runs the streaming job on a local Flink MiniCluster, or says how to submit it. */
@Command(
        name = "stream",
        mixinStandardHelpOptions = true,
        description = {
            "Run the streaming job on a local Flink MiniCluster (or print how to submit it to a cluster).",
            "",
            "Frames from Kafka, triplets per camera, batched depth and pose inference, "
                    + "results to the depth and poses topics (exactly-once) and optionally to files.",
            "",
            "Settings come from the defaults, then --config FILE (YAML or JSON; --print-config shows every key), "
                    + "then the flags below. The job runs here on a local Flink MiniCluster until Ctrl-C or SIGTERM, "
                    + "which stop it with a savepoint in --state-dir; the next run with the same state directory "
                    + "resumes from it (from its last checkpoint after a kill), neither losing nor repeating a frame. "
                    + "Results are committed at each checkpoint. With --print-submit it prints the effective config "
                    + "and the `flink run` command for a cluster instead.",
            "",
            "Kafka client properties (TLS, SASL, config providers) come from kafka.properties in the config file, "
                    + "then --kafka-config, then --kafka-property; every Kafka client of the job takes them (frames "
                    + "and model-updates sources, depth, poses, dead-letter and model-updates sinks, topic creation). "
                    + "Before the job starts, stream asks the broker for the job's ACLs and names any that is "
                    + "missing. Secrets are printed redacted."
        })
public final class StreamCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON settings file.")
    Path configFile;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Mixin
    KafkaClientOptions kafkaClient = new KafkaClientOptions();

    @Option(names = "--weights", paramLabel = "WEIGHTS", description = "Native weights directory.")
    String weights;

    @Option(names = "--init", paramLabel = "synthetic|random",
            description = "Instead of --weights: synthetic, the model that ships with depthstream (lite, trained on "
                    + "synthetic drives; for real cameras import monodepth2 weights or train on your data), or "
                    + "random, a seeded random model (its depth is meaningless).")
    String init;

    @Option(names = "--parallelism", paramLabel = "N", description = "Parallelism of the job.")
    Integer parallelism;

    @Option(names = "--latest-frame", description = "For live cameras (model.frame-policy: latest-frame): when "
            + "inference falls behind, frames older than --max-frame-age-ms when they reach it are dropped (counted "
            + "in the staleFramesDropped metric) and each camera's newest frame is inferred. Without it every frame "
            + "gets its result and a slow accelerator makes the Kafka lag grow instead.")
    boolean latestFrame;

    @Option(names = "--max-frame-age-ms", paramLabel = "MS", description = "With --latest-frame: age since capture "
            + "(the record timestamp) beyond which a frame is stale (model.max-frame-age-ms, default 1000).")
    Long maxFrameAgeMs;

    @Option(names = "--out-dir", paramLabel = "DIR",
            description = "Also write per-camera depth PNGs, colour previews and trajectory.txt under DIR.")
    String outDir;

    @Option(names = "--fine-tune", description = "Fine-tune the model online while it serves (off by default): "
            + "sampled triplets train a learner whose accepted versions go to the model store and the model-updates "
            + "topic, and inference switches to them. Needs --model-store or fine-tune.store; the other fine-tune.* "
            + "settings come from --config.")
    boolean fineTune;

    @Option(names = "--model-store", paramLabel = "URI",
            description = "Model store for fine-tuned versions: a directory or a Flink file system URI (s3://, hdfs://).")
    String modelStore;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the job's checkpoints and the savepoint "
            + "of a stop are kept between runs (default: ~/.depthstream/stream/GROUP-ID, per kafka.group-id). A "
            + "directory written with another frames topic, group, network size or fine-tune setting is refused.")
    Path stateDir;

    @Option(names = "--stop-timeout", paramLabel = "SECONDS", defaultValue = "60", description = "How long Ctrl-C "
            + "or SIGTERM waits for the savepoint before the job is cancelled instead (the next run then resumes "
            + "from the last checkpoint); a second Ctrl-C cancels at once. Default ${DEFAULT-VALUE}.")
    long stopTimeoutSeconds;

    @Option(names = "--print-config", description = "Print the effective settings as YAML and exit.")
    boolean printConfig;

    @Option(names = "--print-submit", description = "Print the effective settings and how to submit the job jar "
            + "to a Flink cluster, and exit.")
    boolean printSubmit;

    @Override
    public Integer call() throws Exception {
        StreamingConfig config = effectiveConfig();
        PrintWriter out = spec.commandLine().getOut();
        if (printConfig) {
            out.print(ConfigFiles.print(config));
            out.println(decodeComment(config));
            out.flush();
            return 0;
        }
        String problem = config.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (printSubmit) {
            // --detached: the client returns once the JobManager has the job, which runs until stopped or cancelled
            out.println("# save as depthstream.yaml, then submit from the repository root with:");
            out.println("#   flink run --detached -c " + StreamingJobMain.class.getName()
                    + " pipeline/target/depthstream-pipeline-" + BuildInfo.load().version() + "-job.jar"
                    + " --config depthstream.yaml");
            out.println("# on the standalone cluster of deploy/standalone/cluster.sh, deploy/standalone/flink takes"
                    + " the place of flink; the cluster's lib/ needs the jars of pipeline/target/flink-lib (DJL and"
                    + " PyTorch)");
            out.println("# weights paths must exist on every TaskManager and where the job is submitted; without"
                    + " checkpoints.dir the cluster's execution.checkpointing.dir applies");
            out.print(ConfigFiles.print(config));
            out.println(decodeComment(config));
            out.flush();
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        StateDirectory state = StateDirectory.open(stateDir != null ? stateDir
                : Path.of(System.getProperty("user.home"), ".depthstream", "stream", config.kafka().groupId()));
        String networkSize = StreamingJob.inputSize(config);
        String mismatch = state.mismatch(config, networkSize);
        if (mismatch != null) {
            throw new IllegalArgumentException(mismatch);
        }
        config = config.withCheckpointDirIfUnset(state.checkpointsUri());
        Configuration flink = StreamingJob.localConfiguration();
        // a job cancelled because its savepoint did not come in time (or killed) resumes from its last checkpoint
        flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        Optional<Path> restorePoint = state.restorePoint();
        restorePoint.ifPresent(p -> flink.set(StateRecoveryOptions.SAVEPOINT_PATH, p.toUri().toString()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(), flink);
        // the job first: weights that cannot be loaded are reported before Kafka is touched
        StreamingJob.define(env, config);
        for (String topicProblem : StreamingJob.ensureTopics(config, TopicSpec.BROKER_DEFAULT_REPLICATION,
                Duration.ofSeconds(30))) {
            err.println("warning: " + topicProblem);
        }
        // a missing ACL found by the running job would fail it over and over: name it now, before it starts
        List<String> missingAcls = StreamingJob.missingAcls(config, Duration.ofSeconds(30));
        if (!missingAcls.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", missingAcls));
        }
        state.remember(config, networkSize);
        // Ctrl-C and SIGTERM are taken from the JVM's shutdown sequence: a savepoint needs the MiniCluster (its blob
        // server, I/O manager and Kafka producers), which the JVM's shutdown hooks would be closing meanwhile
        StopSignals stop = StopSignals.install();
        JobClient job = env.executeAsync(StreamingJob.NAME);
        err.println("streaming job " + job.getJobID() + " running"
                + restorePoint.map(p -> " (resumed from " + p + ")").orElse("") + ": frames from '"
                + config.kafka().topics().frames() + "' at " + config.kafka().bootstrap() + ", results to '"
                + config.kafka().topics().depth() + "' and '" + config.kafka().topics().poses() + "'"
                + (config.output().dir() == null ? "" : " and " + config.output().dir())
                + "; state in " + state.root() + "; Ctrl-C stops it with a savepoint");
        err.flush();
        CompletableFuture<?> result = job.getJobExecutionResult();
        while (!result.isDone() && !stop.requested(Duration.ofMillis(200))) {
            // waiting for the job to end or a signal
        }
        if (result.isDone()) {
            try {
                result.get();
                return 0;
            } catch (ExecutionException e) {
                String kafkaProblem = KafkaErrors.securityProblem(e, config.kafka().bootstrap(),
                        config.kafka().clientProperties());
                throw new IllegalStateException("the streaming job failed: "
                        + (kafkaProblem != null ? kafkaProblem
                                : config.kafka().clientProperties().scrub(failureLine(e))), e);
            }
        }
        err.println("stopping with a savepoint in " + state.root() + " (" + stopTimeoutSeconds
                + " s at most; Ctrl-C again cancels without one)");
        err.flush();
        CompletableFuture<String> savepoint = job.stopWithSavepoint(false, state.savepointsUri(),
                SavepointFormatType.CANONICAL);
        try {
            String location = stop.awaitOrSecondSignal(savepoint, Duration.ofSeconds(stopTimeoutSeconds));
            state.pruneExcept(Path.of(URI.create(location)));
            err.println("stopped; savepoint " + location + ": the next `stream` with this state directory resumes "
                    + "from it");
            return 0;
        } catch (Exception e) {
            job.cancel().get(30, TimeUnit.SECONDS);
            throw new IllegalStateException("no savepoint (" + failureLine(e) + "): the job was cancelled and the next "
                    + "`stream` with this state directory resumes from its last checkpoint", e);
        }
    }

    /** One line for a job failure: the configuration fault Flink did not restart for, else the root cause. */
    static String failureLine(Throwable failure) {
        String unrunnable = UnrunnableJobException.messageIn(failure);
        if (unrunnable != null) {
            return unrunnable;
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    StreamingConfig effectiveConfig() {
        StreamingConfig config = configFile == null ? StreamingConfig.defaults() : ConfigFiles.read(configFile);
        if (bootstrap != null) {
            config = config.withBootstrap(bootstrap);
        }
        config = config.withKafkaProperties(kafkaClient.properties());
        StreamingConfig.Model model = config.model();
        if (weights != null || init != null) {
            model = model.withWeights(weights, weights == null ? init : null);
        }
        ShippedModel shipped = model.weights() == null ? ShippedModel.byName(model.init()) : null;
        if (shipped != null) {
            // the shipped model brings its own architecture and input size: show those, not the random model's
            ModelConfig net = shipped.config();
            model = new StreamingConfig.Model(null, model.init(), net.architecture().configName(), net.height(),
                    net.width(), model.seed(), model.device(), model.batchSize(), model.maxBatchDelayMs(),
                    model.cameraHeightM(), model.framePolicy(), model.maxFrameAgeMs());
        }
        if (latestFrame || maxFrameAgeMs != null) {
            model = model.withFramePolicy(latestFrame ? FramePolicy.LATEST_FRAME.configName() : model.framePolicy(),
                    maxFrameAgeMs != null ? maxFrameAgeMs : model.maxFrameAgeMs());
        }
        config = config.withModel(model);
        if (parallelism != null) {
            config = config.withParallelism(parallelism);
        }
        if (outDir != null) {
            config = config.withOutputDir(outDir);
        }
        if (fineTune || modelStore != null) {
            StreamingConfig.FineTune f = config.fineTune();
            config = config.withFineTune(f.enabledWith(modelStore != null ? modelStore : f.store())
                    .withEnabled(fineTune || f.enabled()));
        }
        return config;
    }

    /**
     * A YAML comment saying what {@code model.decode} resolves to on this machine; a TaskManager resolves it again
     * from its own device and cores when the job starts.
     */
    static String decodeComment(StreamingConfig config) {
        String decode = config.model().decode();
        DecodeLayout layout;
        DeviceChoice device;
        try {
            layout = DecodeLayout.parse(decode);
            device = DeviceChoice.parse(config.model().device());
        } catch (IllegalArgumentException e) {
            return "# " + e.getMessage();
        }
        try {
            DecodePlan plan = layout.resolveHere(device);
            return "# model.decode " + decode + " here: " + plan.describe()
                    + "; each TaskManager decides from its own device and cores when the job starts";
        } catch (RuntimeException e) {
            return "# model.decode " + decode + ": each TaskManager decides when the job starts (" + e.getMessage()
                    + ")";
        }
    }
}
