package io.depthstream.pipeline.embedded;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.operators.learner.VersionMetrics;
import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.Palette;
import io.depthstream.model.io.ShippedModel;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.model.eval.EigenEvaluator;
import io.depthstream.model.eval.EigenReport;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.loss.PhotometricLossConfig;
import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.SelfSupervisedObjective;
import io.depthstream.model.train.TrainingSample;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.job.StreamingJob;
import io.depthstream.pipeline.replay.KittiReplay;
import io.depthstream.pipeline.replay.ReplayDrive;
import io.depthstream.pipeline.replay.ReplayListener;
import io.depthstream.pipeline.replay.ReplayOptions;
import io.depthstream.pipeline.replay.ReplaySummary;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The whole product on one machine: synthetic (or given) KITTI drives replayed as live cameras into a real
 * in-process Kafka broker, the streaming job on a Flink MiniCluster, and its committed results read back,
 * written out and scored against ground truth.
 */
public final class Demo {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(3);
    private static final int HELD_OUT_TRIPLETS = 24;

    private final DemoOptions options;
    private final DemoProgress progress;

    /** A demo with these options, reporting to {@code progress}. */
    public Demo(DemoOptions options, DemoProgress progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Runs everything, stops everything and removes every temporary file; the outputs stay in
     * {@link DemoOptions#outDir()}.
     *
     * @return what happened (also written as {@code summary.json})
     */
    public DemoSummary run() throws Exception {
        try (ScratchDirectory scratch = ScratchDirectory.create("depthstream-demo-")) {
            Path data = options.data() != null ? options.data() : renderDrives(scratch.resolve("drives"));
            Files.createDirectories(options.outDir());
            if (options.fineTune()) {
                // the learner continues from a store's newest version: a demo starts from its own start model
                ScratchDirectory.deleteRecursively(options.modelStore());
            }
            progress.phase("starting Kafka (in-process, KRaft)");
            try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
                StreamingConfig config = config(kafka.bootstrapServers())
                        .withCheckpointDirIfUnset(scratch.resolve("checkpoints").toUri().toString());
                List<String> topicProblems = StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30));
                if (!topicProblems.isEmpty()) {
                    throw new IllegalStateException(String.join("; ", topicProblems));
                }
                return stream(config, data, scratch);
            }
        }
    }

    private DemoSummary stream(StreamingConfig config, Path data, ScratchDirectory scratch) throws Exception {
        progress.phase("starting the streaming job on a Flink MiniCluster");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, StreamingJob.localConfiguration());
        StreamingJob.define(env, config);
        JobClient job = env.executeAsync(StreamingJob.NAME);
        boolean finished = false;
        try (KittiRawArchive archive = KittiRawArchive.open(data);
                OutputReader reader = new OutputReader(config.kafka().bootstrap(), config.kafka().topics().depth(),
                        config.kafka().topics().poses(), config.kafka().topics().dlq())) {
            List<ReplayDrive> all = KittiReplay.allDrives(archive, KittiCamera.IMAGE_02);
            List<ReplayDrive> drives = all.subList(0, Math.min(options.cameras(), all.size()));
            ReplayDrive heldOut = all.size() > drives.size() ? all.get(drives.size()) : null;
            KittiReplay replay = KittiReplay.prepare(archive, drives,
                    new ReplayOptions(config.kafka().topics().frames(), options.rateHz(), false, true));
            progress.phase("replaying " + drives.size() + " camera(s), " + replay.framesPerPass() + " frames, at "
                    + (Double.isInfinite(options.rateHz()) ? "full speed"
                            : String.format(Locale.ROOT, "%.0f frames/s per camera", options.rateHz())));
            long startNanos = System.nanoTime();
            ReplaySummary sent = replay.run(config.kafka().bootstrap(), Duration.ofSeconds(30), () -> false,
                    ReplayListener.NONE);
            int expected = Math.toIntExact(sent.frames());
            progress.phase("waiting for " + expected + " committed results");
            progress.results(0, expected);
            VersionWatch versions = new VersionWatch();
            OutputRecords out = reader.readUntil(expected, options.timeout(), done -> {
                progress.results(done, expected);
                versions.report();
            });
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            // every result is in; with the learner, no drain: draining would first train on everything it still
            // buffers (minutes on a busy CPU); the savepoint still writes the learner's status to the store
            boolean drain = !options.fineTune();
            progress.phase(drain ? "stopping the job (draining it, so files and trajectories are complete)"
                    : "stopping the job");
            StoppingJobLogs.quietDeclinedCheckpoints();
            try {
                job.stopWithSavepoint(drain, scratch.resolve("savepoint").toUri().toString(),
                        SavepointFormatType.CANONICAL).get(STOP_TIMEOUT.toMinutes(), TimeUnit.MINUTES);
            } catch (TimeoutException e) {
                throw new IllegalStateException("every result arrived, but the job did not stop within "
                        + STOP_TIMEOUT.toMinutes() + " minutes (is the machine overloaded?)", e);
            }
            finished = true;
            out = reader.drain(Duration.ofSeconds(1));
            if (out.depth().size() < expected) {
                throw new IllegalStateException("only " + out.depth().size() + " of " + expected
                        + " results arrived within " + options.timeout().toSeconds() + " s");
            }
            versions.report();
            DemoSummary summary = summarise(expected, out, seconds, data,
                    options.fineTune() ? fineTuneSummary(archive, drives, heldOut, data, out) : null);
            JSON.writeValue(options.outDir().resolve("summary.json").toFile(), summary);
            return summary;
        } finally {
            if (!finished) {
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // the job may already have failed; the MiniCluster goes with the JVM's shutdown
                }
            }
        }
    }

    private StreamingConfig config(String bootstrap) {
        StreamingConfig defaults = StreamingConfig.defaults();
        StreamingConfig.Model model = new StreamingConfig.Model(
                options.weights() == null ? null : options.weights().toString(),
                options.weights() == null ? options.init() : null, options.arch(), options.height(), options.width(),
                options.seed(), "auto", options.batchSize(), defaults.model().maxBatchDelayMs(), null,
                defaults.model().framePolicy(), defaults.model().maxFrameAgeMs());
        StreamingConfig config = defaults.withBootstrap(bootstrap)
                .withModel(model)
                .withOutputDir(options.outDir().toString())
                .withCheckpoints(new StreamingConfig.Checkpoints(1000, null));
        if (options.fineTune()) {
            StreamingConfig.FineTune d = defaults.fineTune();
            // a demo is short: a candidate every 4 steps, one triplet in 5 held out, and the learner training all the
            // time (on one thread) on batches drawn from the recent triplets, each used 4 times on average, so that
            // versions appear and are served while it runs
            config = config.withFineTune(new StreamingConfig.FineTune(true, options.modelStore().toString(),
                    d.sampleRate(), d.staticThreshold(), d.learningRate(), d.batchSize(), d.bufferCapacity(),
                    d.heldOutCapacity(), 5, 4, d.tolerance(), d.triplet(), d.device(), 1.0, d.threads(),
                    d.automaskWarmup(), 4));
        }
        return config;
    }

    /** Tells the progress about each version the learner publishes to the store, once. */
    private final class VersionWatch {
        private int reported = -1;

        void report() {
            if (!options.fineTune()) {
                return;
            }
            for (PublishedVersion version : new ModelStore(options.modelStore().toString()).versions()) {
                if (version.number() <= reported) {
                    continue;
                }
                reported = version.number();
                VersionMetrics m = version.metrics();
                if (version.number() == 0) {
                    progress.learner("learner: v0 is the start model");
                } else {
                    progress.learner(String.format(Locale.ROOT,
                            "learner: published %s at step %d, held-out loss %.4f (serving version: %.4f)",
                            version.name(), m.step(), m.heldOutLoss(),
                            m.extra().getOrDefault("serving_held_out_loss", Double.NaN)));
                }
            }
        }
    }

    /**
     * The learner's steps from the store; v0's and the newest version's photometric loss on the held-out drive (when
     * there is one) and abs_rel on the streamed drives.
     */
    private DemoSummary.FineTuneSummary fineTuneSummary(KittiRawArchive archive, List<ReplayDrive> drives,
                                                        ReplayDrive heldOut, Path data, OutputRecords out)
            throws IOException {
        Map<String, Integer> perVersion = new LinkedHashMap<>();
        for (OutputRecords.DepthRecord record : out.depth()) {
            perVersion.merge(record.modelVersion(), 1, Integer::sum);
        }
        ModelStore store = new ModelStore(options.modelStore().toString());
        List<PublishedVersion> versions = store.versions();
        if (versions.isEmpty()) {
            throw new IllegalStateException("the learner published no version to " + store);
        }
        long steps = store.learnerStatus().map(status -> status.path("step").asLong()).orElse(0L);
        PublishedVersion first = versions.get(0);
        PublishedVersion last = versions.get(versions.size() - 1);
        progress.phase("evaluating " + first.name() + " and " + last.name() + " against ground truth"
                + (heldOut == null ? "" : " and on the held-out drive " + heldOut.cameraId()));
        Double heldOutFirst = heldOut == null ? null : heldOutLoss(store, first, archive, heldOut);
        Double heldOutLast = heldOut == null ? null : heldOutLoss(store, last, archive, heldOut);
        return new DemoSummary.FineTuneSummary(steps, versions.size() - 1, heldOutFirst, heldOutLast,
                absRel(store, first, archive, drives, data), absRel(store, last, archive, drives, data), last.name(),
                perVersion);
    }

    /**
     * A version's photometric loss (monodepth2's, batch norm in inference mode, the same auto-mask noise for every
     * version) on up to {@value #HELD_OUT_TRIPLETS} triplets spread over a drive the stream never carried.
     */
    private static double heldOutLoss(ModelStore store, PublishedVersion version, KittiRawArchive archive,
                                      ReplayDrive drive) throws IOException {
        try (DepthModel model = store.load(version.number(), Device.cpu())) {
            ModelConfig config = model.config();
            DepthPredictor inputs = new DepthPredictor(model);
            Intrinsics intrinsics = archive.calibration(drive.drive().date())
                    .intrinsics(drive.camera(), config.width(), config.height());
            List<Integer> frames = archive.frames(drive.drive(), drive.camera());
            int stride = Math.max(1, (frames.size() - 2) / HELD_OUT_TRIPLETS);
            List<TrainingSample> samples = new ArrayList<>();
            for (int i = 1; i + 1 < frames.size() && samples.size() < HELD_OUT_TRIPLETS; i += stride) {
                float[][] images = new float[3][];
                for (int k = 0; k < 3; k++) {
                    images[k] = inputs.input(ImageResizer.resize(
                            archive.image(drive.drive(), frames.get(i - 1 + k), drive.camera()),
                            config.width(), config.height()));
                }
                samples.add(new TrainingSample(images[0], images[1], images[2], intrinsics));
            }
            SelfSupervisedObjective objective = new SelfSupervisedObjective(LossConfig.of(
                    PhotometricLossConfig.monodepth2().withDepthRange(config.depthRange())), new Random(0));
            objective.reseed(0);
            double sum = 0;
            for (int from = 0; from < samples.size(); from += 4) {
                List<TrainingSample> chunk = samples.subList(from, Math.min(samples.size(), from + 4));
                sum += objective.measure(model, chunk).total() * chunk.size();
            }
            return sum / samples.size();
        }
    }

    /** abs_rel (median scaling, Eigen crop and range) of a version over the frames with ground truth, or null. */
    private static Double absRel(ModelStore store, PublishedVersion version, KittiRawArchive archive,
                                 List<ReplayDrive> drives, Path data) throws IOException {
        try (DepthModel model = store.load(version.number(), Device.cpu())) {
            DepthPredictor predictor = new DepthPredictor(model);
            ModelConfig config = model.config();
            EigenEvaluator evaluator = EigenEvaluator.medianScaling();
            int evaluated = 0;
            for (ReplayDrive drive : drives) {
                for (int frame : archive.frames(drive.drive(), drive.camera())) {
                    Path truth = groundTruth(data, drive.cameraId(), frame);
                    if (!Files.isRegularFile(truth)) {
                        continue;
                    }
                    RgbImage image = ImageResizer.resize(archive.image(drive.drive(), frame, drive.camera()),
                            config.width(), config.height());
                    float[] sigmoid = predictor.disparity(List.of(predictor.input(image)))[0];
                    evaluator.add(EigenEvaluator.scaledDisparity(sigmoid, config.depthRange()), config.width(),
                            config.height(), DepthMap.decodeKittiPng(Files.readAllBytes(truth)));
                    evaluated++;
                }
            }
            return evaluated == 0 ? null : evaluator.report().metrics().absRel();
        }
    }

    private Path renderDrives(Path dir) throws IOException {
        // fine-tuning: one more drive than cameras, never streamed, on which v0 and the newest version are compared
        int count = options.cameras() + (options.fineTune() ? 1 : 0);
        int total = count * options.frames();
        progress.phase("rendering " + count + " synthetic drive(s) of " + options.frames()
                + " frames of " + options.renderWidth() + "x" + options.renderHeight() + " with exact depth"
                + (options.palette() == Palette.STANDARD ? ""
                        : ", " + options.palette().name().toLowerCase(Locale.ROOT) + " palette"));
        new SyntheticDriveWriter(options.seed(), count,
                new DriveOptions(options.frames(), options.renderWidth(), options.renderHeight(), false, false,
                        options.palette()))
                .write(dir, (done, all) -> progress.rendered(done, total));
        return dir;
    }

    private DemoSummary summarise(int framesIn, OutputRecords out, double seconds, Path data,
                                  DemoSummary.FineTuneSummary fineTune) throws IOException {
        long[] latencies = out.depth().stream().mapToLong(OutputRecords.DepthRecord::latencyMs).toArray();
        Map<String, Integer> perCamera = new TreeMap<>();
        for (OutputRecords.DepthRecord record : out.depth()) {
            perCamera.merge(record.cameraId(), 1, Integer::sum);
        }
        // the newest version among the results (with fine-tuning they carry several)
        String version = out.depth().isEmpty() ? "" : out.depth().get(out.depth().size() - 1).modelVersion();
        EigenEvaluator evaluator = EigenEvaluator.medianScaling();
        int evaluated = 0;
        for (OutputRecords.DepthRecord record : out.depth()) {
            Path truth = groundTruth(data, record.cameraId(), Math.toIntExact(record.seq()));
            if (Files.isRegularFile(truth)) {
                DepthMap predicted = DepthMap.decodeKittiPng(record.png());
                evaluator.add(disparity(predicted), predicted.width(), predicted.height(),
                        DepthMap.decodeKittiPng(Files.readAllBytes(truth)));
                evaluated++;
            }
        }
        EigenReport report = evaluated == 0 ? null : evaluator.report();
        ShippedModel shipped = options.shipped();
        String note;
        if (options.weights() != null) {
            note = "weights " + options.weights();
        } else if (shipped != null) {
            note = "the shipped model " + shipped.version() + " (" + shipped.config().architecture().configName() + " "
                    + shipped.config().width() + "x" + shipped.config().height() + "), trained here on synthetic "
                    + "drives only: for real cameras import monodepth2 weights (import-monodepth2) or train or "
                    + "fine-tune on your data";
        } else {
            note = "random weights (" + version + "): depth from an untrained network is meaningless, so abs_rel and "
                    + "a1 only show that the numbers flow; pass --weights for a trained model";
        }
        if (fineTune != null) {
            String start = options.weights() != null ? "start model " + options.weights()
                    : shipped != null ? "start model " + shipped.version() : "random start model";
            note = start + (options.palette() == Palette.STANDARD ? "" : " on drives in the "
                    + options.palette().name().toLowerCase(Locale.ROOT) + " palette (a domain shift)")
                    + ", fine-tuned online; abs_rel and a1 are over results of every version served (see fine_tune)";
        }
        return new DemoSummary(framesIn, out.depth().size(), out.poses().size(), out.rejected().size(),
                out.depth().size() / seconds, Percentiles.of(latencies, 50), Percentiles.of(latencies, 99),
                report == null ? null : report.metrics().absRel(), report == null ? null : report.metrics().delta1(),
                evaluated, version, startModel(), perCamera, note, fineTune);
    }

    /** The model the demo started from, for the summary. */
    private String startModel() {
        if (options.weights() != null) {
            return options.weights().toString();
        }
        ShippedModel shipped = options.shipped();
        if (shipped != null) {
            return shipped.version() + " (shipped, trained on synthetic drives)";
        }
        return "random-" + options.arch() + "-" + options.seed();
    }

    /** Where a synthetic drive keeps a frame's exact depth (a file that does not exist for KITTI data). */
    private static Path groundTruth(Path data, String cameraId, int frame) {
        return data.resolve("depth_gt").resolve(cameraId).resolve(SyntheticDriveWriter.frameName(frame) + ".png");
    }

    /** Depth (0 = invalid) to the inverse depth the Eigen evaluation takes; invalid pixels count as far away. */
    private static float[] disparity(DepthMap depth) {
        float[] values = depth.depth();
        float[] disparity = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            disparity[i] = values[i] > 0 ? 1f / values[i] : 1f / EigenEvaluator.MAX_DEPTH;
        }
        return disparity;
    }
}
