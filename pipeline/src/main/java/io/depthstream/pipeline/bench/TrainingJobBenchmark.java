package io.depthstream.pipeline.bench;

import ai.djl.engine.Engine;
import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.SplitEntry;
import io.depthstream.model.data.SplitFile;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.TrainingSample;
import io.depthstream.model.train.TrainingStep;
import io.depthstream.operators.training.MetricsCsv;
import io.depthstream.pipeline.embedded.ScratchDirectory;
import io.depthstream.pipeline.training.TrainingJob;
import io.depthstream.pipeline.training.TrainingJobConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training throughput of the offline training job against a bare in-process training loop of the same model: the
 * job reads KITTI-size (1242×375) synthetic frames from zip archives, decodes, resizes and augments them in
 * parallel and trains one learner; the bare loop trains the same model on the same triplets decoded beforehand.
 * Both are timed per step (triplets per second between consecutive step ends, waiting for data included); the
 * first step of each, which loads the model and warms the engine, is not counted.
 */
public final class TrainingJobBenchmark {

    private final ModelConfig config;
    private final int batch;
    private final int steps;
    private final int parallelism;
    private final PrintWriter progress;

    /**
     * The outcome.
     *
     * @param jobStepRates triplets/s of each counted step of the job
     * @param bareStepRates triplets/s of each counted step of the bare loop
     */
    public record Result(String architecture, int width, int height, int batch, int parallelism,
                         List<Double> jobStepRates, List<Double> bareStepRates) {

        /** Median triplets/s of the job. */
        public double jobImagesPerSecond() {
            return new Measurement("job", jobStepRates).median();
        }

        /** Median triplets/s of the bare loop. */
        public double bareImagesPerSecond() {
            return new Measurement("bare", bareStepRates).median();
        }

        /** Job over bare loop. */
        public double ratio() {
            return jobImagesPerSecond() / bareImagesPerSecond();
        }
    }

    /**
     * @param steps counted steps of each side (one more, uncounted, comes first)
     * @param parallelism readers and decoders of the job
     */
    public TrainingJobBenchmark(ModelConfig config, int batch, int steps, int parallelism, PrintWriter progress) {
        if (batch < 1 || steps < 1 || parallelism < 1) {
            throw new IllegalArgumentException("batch, steps and parallelism must be at least 1");
        }
        this.config = config;
        this.batch = batch;
        this.steps = steps;
        this.parallelism = parallelism;
        this.progress = progress;
    }

    /** Renders the drive, runs the job, then the bare loop. */
    public Result run() throws Exception {
        try (ScratchDirectory scratch = ScratchDirectory.create("depthstream-training-bench")) {
            int lines = batch * (steps + 1);
            Path data = scratch.resolve("kitti");
            progress.printf(Locale.ROOT, "training job: rendering %d synthetic 1242x375 frames%n", lines + 2);
            progress.flush();
            new SyntheticDriveWriter(7, 1, DriveOptions.kitti(lines + 2)).write(data, (done, total) -> { });
            Path split = scratch.resolve("train.txt");
            StringBuilder text = new StringBuilder();
            for (int frame = 1; frame <= lines; frame++) {
                text.append("2011_09_26/").append(SyntheticDriveWriter.driveName(1)).append(' ').append(frame)
                        .append(" l\n");
            }
            Files.writeString(split, text);
            List<Double> job = runJob(data, split, scratch.resolve("run"));
            List<Double> bare = runBare(data, split);
            return new Result(config.architecture().configName(), config.width(), config.height(), batch, parallelism,
                    job, bare);
        }
    }

    private TrainingJobConfig jobConfig(Path data, Path split, Path run) {
        return new TrainingJobConfig(data.toString(), split.toString(), null, null, run.toString(), 1, batch,
                config.height(), config.width(), config.architecture().configName(), "random", 0, 1e-4, 0.1, 15,
                "none", true, parallelism, 0, 1, 0.0, 4, "auto", 0);
    }

    private List<Double> runJob(Path data, Path split, Path run) throws Exception {
        progress.printf(Locale.ROOT, "training job: %d steps of batch %d, %d reader(s)%n", steps + 1, batch, parallelism);
        progress.flush();
        TrainingJobConfig jobConfig = jobConfig(data, split, run);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
                TrainingJob.localConfiguration());
        TrainingJob.define(env, TrainingJob.plan(jobConfig, false));
        env.execute(TrainingJob.NAME);
        List<Map<String, Double>> rows = MetricsCsv.read(new io.depthstream.operators.training.RunDirectory(run).metricsCsv());
        List<Double> rates = new ArrayList<>();
        for (Map<String, Double> row : rows.subList(1, rows.size())) {
            rates.add(row.get("images_per_s"));
        }
        return rates;
    }

    private List<Double> runBare(Path data, Path split) throws IOException {
        progress.printf(Locale.ROOT, "bare training loop: %d steps of batch %d%n", steps + 1, batch);
        progress.flush();
        List<TrainingSample> samples = new ArrayList<>();
        try (KittiRawArchive archive = KittiRawArchive.open(data)) {
            for (SplitEntry entry : SplitFile.read(split).entries()) {
                float[][] frames = new float[3][];
                for (int i = 0; i < 3; i++) {
                    frames[i] = ImageResizer.resize(archive.image(entry.drive(), entry.frame() - 1 + i, entry.camera()),
                            config.width(), config.height()).toChwFloats();
                }
                samples.add(new TrainingSample(frames[0], frames[1], frames[2], archive.calibration(entry.drive().date())
                        .intrinsics(entry.camera(), config.width(), config.height())));
            }
        }
        List<Double> rates = new ArrayList<>();
        try (DepthModel model = DepthModel.initialise(config, DeviceChoice.AUTO.resolve(Engine.getInstance()), 0)) {
            TrainingStep trainer = new TrainingStep(model, TrainingJob.trainingConfig(jobConfig(data, split, Path.of("."))));
            for (int step = 0; step <= steps; step++) {
                long start = System.nanoTime();
                trainer.step(samples.subList(step * batch, (step + 1) * batch));
                double seconds = (System.nanoTime() - start) / 1e9;
                if (step > 0) {
                    rates.add(batch / seconds);
                }
            }
        }
        return rates;
    }
}
