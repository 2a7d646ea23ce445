package io.depthstream.pipeline.training;

import io.depthstream.model.data.SplitFile;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.StepLrSchedule;
import io.depthstream.model.train.TrainingConfig;
import io.depthstream.operators.inference.ModelSource;
import io.depthstream.operators.training.EpochSummary;
import io.depthstream.operators.training.KittiTripletSource;
import io.depthstream.operators.training.PreparedTriplet;
import io.depthstream.operators.training.RunDirectory;
import io.depthstream.operators.training.TrainingLearner;
import io.depthstream.operators.training.TrainingRunSettings;
import io.depthstream.operators.training.TripletPreparation;
import io.depthstream.operators.training.TripletSourceConfig;
import io.depthstream.pipeline.config.TripletChoice;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The offline training job: a bounded source reads split lines as triplets of encoded frames from KITTI raw
 * archives, a parallel stage decodes, resizes and draws augmentations, and one learner trains, validates and
 * checkpoints. It runs in STREAMING mode on the bounded source: BATCH mode would make the exchange before the
 * learner blocking and materialise the whole data set.
 */
public final class TrainingJob {

    /** Job name. */
    public static final String NAME = "depthstream training";

    private TrainingJob() {}

    /**
     * What one run of the job does: the learner's and the source's settings, resolved from {@code config} and,
     * when resuming, from the newest checkpoint of its run directory.
     *
     * @param resume the checkpoint the run continues from, or null for a fresh run
     */
    public record Plan(TrainingJobConfig config, TrainingRunSettings learner, TripletSourceConfig source,
                       ResumePoint resume) {}

    /** Resolves a run of {@code config}: a fresh one, or with {@code resume} the continuation of its newest checkpoint. */
    public static Plan plan(TrainingJobConfig config, boolean resume) throws IOException {
        RunDirectory run = new RunDirectory(Path.of(config.runDirectory()));
        Optional<ResumePoint> point = resume ? ResumePoint.newest(run) : Optional.empty();
        ModelSource model;
        if (point.isPresent()) {
            model = ModelSource.weights(point.get().checkpoint());
        } else if (config.randomInit()) {
            model = ModelSource.random(modelConfig(config), (int) config.seed());
        } else {
            model = ModelSource.weights(Path.of(config.init()));
        }
        int lines = SplitFile.read(Path.of(config.trainSplit())).size();
        if (lines == 0) {
            throw new IllegalArgumentException("the training split " + config.trainSplit() + " lists no lines");
        }
        int startEpoch = point.map(p -> p.progress().epoch()).orElse(0);
        int[] consumed = point.map(p -> p.progress().consumedLines()).orElse(new int[0]);
        double best = point.map(p -> p.progress().bestValidationLoss()).orElse(Double.NaN);
        TrainingRunSettings learner = new TrainingRunSettings(
                config.runDirectory(),
                model,
                point.map(p -> p.checkpoint().toString()).orElse(null),
                trainingConfig(config),
                new StepLrSchedule(config.learningRate(), config.lrGamma(), config.lrStepEpochs()),
                DeviceChoice.parse(config.device()),
                config.batch(),
                config.epochs(),
                lines,
                Math.min(startEpoch, config.epochs()),
                consumed,
                best,
                config.checkpointEvery(),
                config.keepCheckpoints(),
                config.maxSkipFraction(),
                config.valSplit() == null ? null : config.data(),
                config.valSplit());
        TripletSourceConfig source = new TripletSourceConfig(config.data(), config.trainSplit(), config.epochs(),
                config.seed(), config.linesPerSplit(), Math.min(startEpoch, config.epochs()), consumed);
        return new Plan(config, learner, source, point.orElse(null));
    }

    /** The network a random initialisation builds (a run from weights takes the weights' own). */
    static ModelConfig modelConfig(TrainingJobConfig config) {
        return ModelConfig.monodepth2(Architecture.parse(config.architecture())).withSize(config.height(), config.width());
    }

    /** The optimiser and objective settings of a run. */
    public static TrainingConfig trainingConfig(TrainingJobConfig config) {
        LossConfig loss = TripletChoice.parse(config.triplet()).applyTo(LossConfig.monodepth2());
        return TrainingConfig.monodepth2(config.seed())
                .withLoss(loss)
                .withLearningRate(config.learningRate())
                .withAugmentation(config.augment())
                .withAutoMaskWarmup(config.automaskWarmup());
    }

    /** The size of the network the run trains: the weights' own when it starts from weights. */
    static ModelConfig networkOf(ModelSource model, TrainingJobConfig config) {
        return model.weightsDirectory() != null
                ? ModelWeights.readConfig(Path.of(model.weightsDirectory()))
                : modelConfig(config);
    }

    /** Adds the job of {@code plan} to {@code env}. */
    public static void define(StreamExecutionEnvironment env, Plan plan) {
        TrainingJobConfig config = plan.config();
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        ModelConfig network = networkOf(plan.learner().model(), config);
        DataStream<PreparedTriplet> prepared = env
                .fromSource(new KittiTripletSource(plan.source()), WatermarkStrategy.noWatermarks(), "kitti-triplets")
                .uid("kitti-triplets")
                .setParallelism(config.parallelism())
                .process(new TripletPreparation(network.width(), network.height(), config.seed()))
                .name("prepare")
                .uid("prepare")
                .setParallelism(config.parallelism());
        prepared
                .transform(TrainingLearner.UID, TypeInformation.of(EpochSummary.class), new TrainingLearner(plan.learner()))
                .uid(TrainingLearner.UID)
                .setParallelism(1)
                .setMaxParallelism(1)
                .sinkTo(new DiscardingSink<>())
                .name("epochs")
                .setParallelism(1);
    }

    /**
     * Flink settings for running the job here: STREAMING mode, no restarts (a failed run is continued with
     * {@code --resume}, from its own checkpoints), and network buffers that hold whole triplets.
     */
    public static Configuration localConfiguration() {
        Configuration configuration = StreamingJob.localConfiguration();
        configuration.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return configuration;
    }
}
