package io.depthstream.pipeline.cli;

import io.depthstream.operators.inference.FramePolicy;
import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.job.StreamingJob;
import io.depthstream.pipeline.job.StreamingJobMain;
import io.depthstream.pipeline.job.TopicSpec;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

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
                    + "then the flags below. The job runs here on a local Flink MiniCluster until Ctrl-C, which "
                    + "cancels it; results are committed at each checkpoint. With --print-submit it prints the "
                    + "effective config and the `flink run` command for a cluster instead."
        })
public final class StreamCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON settings file.")
    Path configFile;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

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
            out.flush();
            return 0;
        }
        String problem = config.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (printSubmit) {
            out.println("# save as depthstream.yaml, then submit with:");
            out.println("#   flink run -c " + StreamingJobMain.class.getName()
                    + " pipeline/target/depthstream-pipeline-" + BuildInfo.load().version() + "-job.jar"
                    + " --config depthstream.yaml");
            out.println("# the cluster's lib/ needs the jars of pipeline/target/flink-lib (DJL and PyTorch);"
                    + " weights paths must exist on every TaskManager");
            out.print(ConfigFiles.print(config));
            out.flush();
            return 0;
        }
        config = config.withCheckpointDirIfUnset(
                Files.createTempDirectory("depthstream-checkpoints-").toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                StreamingJob.localConfiguration());
        // the job first: weights that cannot be loaded are reported before Kafka is touched
        StreamingJob.define(env, config);
        for (String topicProblem : StreamingJob.ensureTopics(config, TopicSpec.BROKER_DEFAULT_REPLICATION,
                Duration.ofSeconds(30))) {
            spec.commandLine().getErr().println("warning: " + topicProblem);
        }
        JobClient job = env.executeAsync(StreamingJob.NAME);
        spec.commandLine().getErr().println("streaming job " + job.getJobID() + " running: frames from '"
                + config.kafka().topics().frames() + "' at " + config.kafka().bootstrap() + ", results to '"
                + config.kafka().topics().depth() + "' and '" + config.kafka().topics().poses() + "'"
                + (config.output().dir() == null ? "" : " and " + config.output().dir())
                + "; Ctrl-C stops it");
        Thread cancel = new Thread(() -> {
            try {
                job.cancel().get();
            } catch (Exception e) {
                // the JVM is exiting: nothing more can be done about a failed cancel
            }
        }, "depthstream-stream-cancel");
        Runtime.getRuntime().addShutdownHook(cancel);
        job.getJobExecutionResult().get();
        return 0;
    }

    StreamingConfig effectiveConfig() {
        StreamingConfig config = configFile == null ? StreamingConfig.defaults() : ConfigFiles.read(configFile);
        if (bootstrap != null) {
            config = config.withBootstrap(bootstrap);
        }
        StreamingConfig.Model model = config.model();
        if (weights != null || init != null) {
            model = model.withWeights(weights, weights == null ? init : null);
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
}
