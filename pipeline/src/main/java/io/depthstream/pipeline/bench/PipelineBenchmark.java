package io.depthstream.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.eval.EigenEvaluator;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.inference.FramePolicy;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.operators.schedule.DecodeLayout;
import io.depthstream.operators.schedule.DecodePlan;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.embedded.Percentiles;
import io.depthstream.pipeline.embedded.ScratchDirectory;
import io.depthstream.pipeline.embedded.StoppingJobLogs;
import io.depthstream.pipeline.job.StreamingJob;
import io.depthstream.pipeline.replay.KittiReplay;
import io.depthstream.pipeline.replay.ReplayListener;
import io.depthstream.pipeline.replay.ReplayOptions;
import ai.djl.engine.Engine;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the whole streaming job (Kafka → Flink → Kafka) against the bare model in-process, at the same
 * batch size and resolution. Frames are synthetic KITTI-size PNGs, all queued on the frames topic before the job
 * starts, so the job runs flat out; the bare model runs the same work per frame (depth, and pose on one pair)
 * before and after the job, in the same JVM. With {@link #run(boolean) fine-tuning}, the job also runs with the
 * online learner and once more without it, on the same frames ({@link FineTuneComparison}).
 */
public final class PipelineBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What one pipeline run measured.
     *
     * @param frames results the job produced
     * @param pipelineFps results per second in steady state, by the times they left inference: from the result that
     *     ends the first quarter to the last, leaving out each camera's last frame (held until the idle timeout)
     * @param pipelineFpsWholeRun results per second between the first and the last result (JIT warm-up included)
     * @param modelFpsBefore the bare model before the job, frames per second (depth + pose on one pair)
     * @param modelFpsAfter the bare model after the job
     * @param latencyMsP50 median of read-by-the-job → result-emitted
     * @param latencyMsP99 99th percentile of the same
     * @param stageMsPerFrame mean milliseconds per frame of decode, resize, queue, inference (the batch's time over
     *     its size) and encode (the depth PNG)
     * @param meanBatch mean size of the batch each result was inferred in
     * @param loopFps one thread doing the job's per-frame work without Kafka or Flink: decode the PNG, resize,
     *     depth and pose in batches, encode the depth PNG
     * @param decode the decode layout the job ran with, as this JVM (the MiniCluster's TaskManager) resolved it
     */
    public record Result(int frames, double pipelineFps, double pipelineFpsWholeRun, double modelFpsBefore, double modelFpsAfter,
            double latencyMsP50, double latencyMsP99, Map<String, Double> stageMsPerFrame, double meanBatch,
            double loopFps, String decode) {

        /** Pipeline throughput as a share of the bare model's (mean of before and after). */
        public double ratio() {
            return pipelineFps / ((modelFpsBefore + modelFpsAfter) / 2);
        }
    }

    private final ModelConfig config;
    private final int batch;
    private final int cameras;
    private final int framesPerCamera;
    private final int parallelism;
    private final String decode;
    private final PrintWriter progress;

    /**
     * @param config the model (random weights, seed 0)
     * @param batch inference batch size
     * @param cameras synthetic drives streamed side by side
     * @param framesPerCamera frames per drive
     * @param parallelism the job's parallelism (each inference subtask runs its own model)
     * @param decode the job's {@code model.decode}: auto, overlapped or between-batches
     */
    public PipelineBenchmark(ModelConfig config, int batch, int cameras, int framesPerCamera, int parallelism,
            String decode, PrintWriter progress) {
        this.parallelism = parallelism;
        this.decode = decode;
        this.config = config;
        this.batch = batch;
        this.cameras = cameras;
        this.framesPerCamera = framesPerCamera;
        this.progress = progress;
    }

    /** Renders the frames, runs the bare model, the job, and the bare model again. */
    public Result run() throws Exception {
        return run(false).pipeline();
    }

    /**
     * What {@link #run(boolean)} measured.
     *
     * @param pipeline the job (its first run, without fine-tuning) against the bare model and the in-process loop
     * @param fineTune the job without and with fine-tuning, or null when not asked for
     */
    public record Outcome(Result pipeline, FineTuneComparison fineTune) {}

    /**
     * Renders the frames, runs the bare model, the job, and the bare model again; with {@code fineTune}, the job
     * runs three times on the same frames between the bare-model measurements: without the learner, with it (model
     * store in this run's scratch directory, empty at the start), and without it again.
     */
    public Outcome run(boolean fineTune) throws Exception {
        try (ScratchDirectory scratch = ScratchDirectory.create("depthstream-bench-pipeline-")) {
            Path drives = scratch.resolve("drives");
            progress.printf("  pipeline: rendering %d x %d synthetic frames at 1242x375%n", cameras, framesPerCamera);
            progress.flush();
            new SyntheticDriveWriter(7, cameras, DriveOptions.kitti(framesPerCamera)).write(drives, (d, t) -> { });
            int frames = cameras * framesPerCamera;
            double before = bareModel(frames);
            progress.printf("  pipeline: bare model %.2f frames/s (depth + pose, batch %d)%n", before, batch);
            progress.flush();
            Run run = job(drives, scratch, frames, null, fineTune, fineTune ? " (fine-tuning off, run 1 of 3)" : "");
            FineTuneComparison comparison = null;
            if (fineTune) {
                Run on = job(drives, scratch, frames, scratch.resolve("models"), true, " (fine-tuning on, run 2 of 3)");
                Run off = job(drives, scratch, frames, null, true, " (fine-tuning off, run 3 of 3)");
                comparison = compare(run, on, off);
            }
            double after = bareModel(frames);
            progress.printf("  pipeline: job %.2f frames/s, bare model after it %.2f frames/s%n", run.fps, after);
            progress.flush();
            double loop = inProcessLoop(drives);
            progress.printf("  pipeline: in-process loop (decode, resize, model, encode) %.2f frames/s%n", loop);
            progress.flush();
            return new Outcome(
                    new Result(run.frames, run.fps, run.fpsWholeRun, before, after, run.p50, run.p99, run.stages, run.meanBatch, loop,
                            decodePlan().describe()),
                    comparison);
        }
    }

    /** Steps between candidate judgements in the fine-tuning measurement: versions get published in a short run. */
    static final int FINE_TUNE_EVALUATE_EVERY = 2;
    /** Every n-th sampled triplet held out in the fine-tuning measurement (as {@code demo --fine-tune}). */
    static final int FINE_TUNE_HELD_OUT_EVERY = 5;

    /**
     * The fine-tuning settings of the measurement: the defaults (learning rate, batch, buffer, sampling, tolerance,
     * objective) with a candidate every {@value #FINE_TUNE_EVALUATE_EVERY} steps and one triplet in
     * {@value #FINE_TUNE_HELD_OUT_EVERY} held out.
     */
    static StreamingConfig.FineTune fineTuneSettings(Path store) {
        StreamingConfig.FineTune d = StreamingConfig.FineTune.defaults();
        return new StreamingConfig.FineTune(true, store.toString(), d.sampleRate(), d.staticThreshold(),
                d.learningRate(), d.batchSize(), d.bufferCapacity(), d.heldOutCapacity(), FINE_TUNE_HELD_OUT_EVERY,
                FINE_TUNE_EVALUATE_EVERY, d.tolerance(), d.triplet(), d.device(), d.maxShare(), d.threads(),
                d.automaskWarmup(), d.replay());
    }

    private FineTuneComparison compare(Run off1, Run on, Run off2) {
        long[] offLatencies = new long[off1.latencies.length + off2.latencies.length];
        System.arraycopy(off1.latencies, 0, offLatencies, 0, off1.latencies.length);
        System.arraycopy(off2.latencies, 0, offLatencies, off1.latencies.length, off2.latencies.length);
        LearnerFacts learner = on.learner;
        return new FineTuneComparison(List.of(off1.asJobRun(false), on.asJobRun(true), off2.asJobRun(false)),
                (off1.fps + off2.fps) / 2, on.fps, Percentiles.of(offLatencies, 50), Percentiles.of(offLatencies, 99),
                on.p50, on.p99, learner.steps, learner.published, learner.rejected, learner.dropped,
                learner.perVersion, on.usage.matchedThreads() == 0 ? Double.NaN : on.usage.matchedCpuSeconds(),
                on.usage.matchedThreads(), on.usage.processCpuSeconds(), on.windowSeconds(),
                Runtime.getRuntime().availableProcessors(),
                FINE_TUNE_EVALUATE_EVERY, FINE_TUNE_HELD_OUT_EVERY);
    }

    /** What the store says about the learner after the on run. */
    private record LearnerFacts(long steps, int published, long rejected, long dropped,
            Map<String, Integer> perVersion) {}

    /** What one run of the job measured. */
    record Run(int frames, double fps, double fpsWholeRun, double p50, double p99, Map<String, Double> stages,
            double meanBatch, long[] latencies, long firstEmittedMs, long lastEmittedMs,
            ThreadCpuSampler.Usage usage, LearnerFacts learner) {

        double windowSeconds() {
            return (lastEmittedMs - firstEmittedMs) / 1000.0;
        }

        FineTuneComparison.JobRun asJobRun(boolean fineTuning) {
            return new FineTuneComparison.JobRun(fineTuning, frames, fps, p50, p99, meanBatch, windowSeconds(),
                    usage.processCpuSeconds(), fineTuning ? usage.matchedCpuSeconds() : 0);
        }
    }

    /** One run of the job on every frame of {@code drives}, queued on a fresh broker first, without fine-tuning. */
    Run queuedRun(Path drives, ScratchDirectory scratch, String label) throws Exception {
        return job(drives, scratch, cameras * framesPerCamera, null, false, label);
    }

    /**
     * One run of the job on the frames, queued on a fresh broker first; with {@code store}, with fine-tuning on and
     * its model store there (empty at the start).
     */
    private Run job(Path drives, ScratchDirectory scratch, int frames, Path store, boolean measureCpu, String label)
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            StreamingConfig streaming = streamingConfig(kafka.bootstrapServers(), scratch, FramePolicy.EVERY_FRAME,
                    store);
            StreamingJob.ensureTopics(streaming, (short) 1, Duration.ofSeconds(30));
            try (KittiRawArchive archive = KittiRawArchive.open(drives)) {
                KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                                new ReplayOptions(streaming.kafka().topics().frames(), Double.POSITIVE_INFINITY,
                                        false, true))
                        .run(kafka.bootstrapServers(), Duration.ofSeconds(30), () -> false, ReplayListener.NONE);
            }
            progress.printf("  pipeline: %d frames queued on Kafka; running the job%s%n", frames, label);
            progress.flush();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
                    StreamingJob.localConfiguration());
            StreamingJob.define(env, streaming);
            OutputRecords out;
            // CPU is sampled only in the fine-tuning measurement (all three runs), so the default run is as before
            try (ThreadCpuSampler sampler = measureCpu ? ThreadCpuSampler.start(LEARNER_THREAD, CPU_SAMPLE_MS)
                    : ThreadCpuSampler.none()) {
                JobClient job = env.executeAsync(StreamingJob.NAME);
                try (OutputReader reader = new OutputReader(kafka.bootstrapServers(),
                        streaming.kafka().topics().depth(), streaming.kafka().topics().poses(),
                        streaming.kafka().topics().dlq())) {
                    out = reader.readUntil(frames, Duration.ofMinutes(10), done -> { });
                    sampler.close();
                    StoppingJobLogs.quietDeclinedCheckpoints();
                    // with the learner, no drain: draining would train on everything still buffered after the
                    // results are out; the savepoint still writes the learner's status (its step count) to the store
                    job.stopWithSavepoint(store == null, scratch.resolve("savepoint").toUri().toString(),
                            SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
                }
                if (out.depth().size() < frames) {
                    throw new IllegalStateException("the job produced " + out.depth().size() + " of " + frames
                            + " results within 10 minutes");
                }
                Run run = summarise(out.depth(), sampler, store == null ? null : learnerFacts(store, out.depth()));
                if (store != null) {
                    progress.printf(Locale.ROOT, "  pipeline: job %.2f frames/s%s; learner: %d steps, %d versions"
                                    + " published, %s%n", run.fps, label, run.learner.steps, run.learner.published,
                            run.usage.matchedThreads() == 0 ? "its CPU time not measured"
                                    : String.format(Locale.ROOT, "CPU %.1f s (%d threads) in %.1f s x %d cores",
                                            run.usage.matchedCpuSeconds(), run.usage.matchedThreads(),
                                            run.windowSeconds(), Runtime.getRuntime().availableProcessors()));
                } else if (measureCpu) {
                    progress.printf(Locale.ROOT, "  pipeline: job %.2f frames/s%s%n", run.fps, label);
                }
                progress.flush();
                return run;
            }
        }
    }

    /**
     * The job's settings in a measurement: this benchmark's model (random, seed 0), batch, parallelism and decode
     * layout, 2 partitions, checkpoints every 2 s under {@code scratch}, the given frame policy; fine-tuning with its
     * store at {@code store}, or off for null.
     */
    StreamingConfig streamingConfig(String bootstrap, ScratchDirectory scratch, FramePolicy policy, Path store) {
        StreamingConfig defaults = StreamingConfig.defaults();
        return new StreamingConfig(
                new StreamingConfig.Kafka(bootstrap, "bench", "earliest", defaults.kafka().topics(), 2),
                new StreamingConfig.Model(null, "random", config.architecture().configName(), config.height(),
                        config.width(), 0, "auto", batch, defaults.model().maxBatchDelayMs(), null,
                        policy.configName(), defaults.model().maxFrameAgeMs(), decode),
                defaults.triplets(), defaults.output(),
                new StreamingConfig.Checkpoints(2000, scratch.resolve("checkpoints").toUri().toString()),
                parallelism, store == null ? defaults.fineTune() : fineTuneSettings(store));
    }

    /** The decode layout the job's decoding resolves to in this JVM (the MiniCluster's TaskManager is this JVM). */
    DecodePlan decodePlan() {
        return DecodeLayout.parse(decode).resolveHere(DeviceChoice.AUTO);
    }

    /** The learner's training thread (see {@code LearnerOperator}); its OpenMP workers inherit the name. */
    private static final String LEARNER_THREAD = "depthstream-learner";
    private static final long CPU_SAMPLE_MS = 250;

    private static LearnerFacts learnerFacts(Path store, List<OutputRecords.DepthRecord> records) {
        ModelStore models = new ModelStore(store.toString());
        List<PublishedVersion> versions = models.versions();
        Optional<JsonNode> status = models.learnerStatus();
        long steps = status.map(s -> s.path("step").asLong())
                .orElse(versions.stream().mapToLong(v -> v.metrics().step()).max().orElse(0));
        Map<String, Integer> perVersion = new TreeMap<>();
        for (OutputRecords.DepthRecord record : records) {
            perVersion.merge(record.modelVersion(), 1, Integer::sum);
        }
        return new LearnerFacts(steps, Math.max(0, versions.size() - 1),
                status.map(s -> s.path("rejected").asLong()).orElse(0L),
                status.map(s -> s.path("dropped_triplets").asLong()).orElse(0L), perVersion);
    }

    private static Run summarise(List<OutputRecords.DepthRecord> records, ThreadCpuSampler sampler,
            LearnerFacts learner) throws IOException {
        long[] emitted = new long[records.size()];
        long[] latency = new long[records.size()];
        Map<String, Double> stages = new LinkedHashMap<>();
        for (String stage : List.of("decode", "resize", "queue", "inference", "encode")) {
            stages.put(stage, 0.0);
        }
        double batches = 0;
        for (int i = 0; i < records.size(); i++) {
            JsonNode s = JSON.readTree(records.get(i).stages());
            batches += s.path("batch").asInt(1);
            emitted[i] = s.path("emitted_at_ms").asLong();
            latency[i] = records.get(i).latencyMs();
            stages.merge("decode", s.path("decode_ms").asDouble(), Double::sum);
            stages.merge("resize", s.path("resize_ms").asDouble(), Double::sum);
            stages.merge("queue", s.path("queue_ms").asDouble(), Double::sum);
            stages.merge("inference", s.path("inference_ms").asDouble() / Math.max(1, s.path("batch").asInt(1)),
                    Double::sum);
            stages.merge("encode", s.path("encode_ms").asDouble(), Double::sum);
        }
        stages.replaceAll((stage, total) -> total / records.size());
        // Each camera's last frame has no successor, so its triplet waits for the idle timeout (3 s by default)
        // before the job emits it; a live camera's next frame would release it at once. The steady-state window leaves
        // those results out, and starts at the result that ends the first quarter (the JVM compiles Flink's, Kafka's
        // and the job's code in the job's first seconds; the bare model has its warm-up round too).
        Map<String, Long> lastSeq = new HashMap<>();
        for (OutputRecords.DepthRecord record : records) {
            lastSeq.merge(record.cameraId(), record.seq(), Math::max);
        }
        long[] steadyEmitted = new long[records.size()];
        int inner = 0;
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).seq() != lastSeq.get(records.get(i).cameraId())) {
                steadyEmitted[inner++] = emitted[i];
            }
        }
        Arrays.sort(emitted);
        long first = emitted[0];
        long last = emitted[emitted.length - 1];
        double seconds = (last - first) / 1000.0;
        double steady = (records.size() - 1) / seconds;
        if (inner >= 8) {
            long[] window = Arrays.copyOf(steadyEmitted, inner);
            Arrays.sort(window);
            int from = inner / 4;
            double steadySeconds = (window[inner - 1] - window[from]) / 1000.0;
            if (steadySeconds > 0) {
                steady = (inner - 1 - from) / steadySeconds;
            }
        }
        return new Run(records.size(), steady, (records.size() - 1) / seconds, Percentiles.of(latency, 50),
                Percentiles.of(latency, 99), stages, batches / records.size(), latency, first, last,
                sampler.between(first, last), learner);
    }

    private double bareModel(int frames) throws IOException {
        try (DepthModel model = DepthModel.initialise(config,
                DeviceChoice.AUTO.resolve(Engine.getInstance()), 0)) {
            DepthPredictor predictor = new DepthPredictor(model);
            List<float[]> images = InferenceBenchmark.randomImages(batch, config);
            int iterations = Math.max(1, frames / batch);
            InferenceBenchmark.javaRound(predictor, InferenceBenchmark.DEPTH_POSE, images, 1);
            double seconds = InferenceBenchmark.javaRound(predictor, InferenceBenchmark.DEPTH_POSE, images,
                    iterations);
            return iterations * batch / seconds;
        }
    }

    private double inProcessLoop(Path drives) throws IOException {
        List<byte[]> pngs = new ArrayList<>();
        try (KittiRawArchive archive = KittiRawArchive.open(drives)) {
            for (KittiDrive drive : archive.drives()) {
                for (int frame : archive.frames(drive, KittiCamera.IMAGE_02)) {
                    pngs.add(archive.imageBytes(drive, frame, KittiCamera.IMAGE_02));
                }
            }
        }
        try (DepthModel model = DepthModel.initialise(config,
                DeviceChoice.AUTO.resolve(Engine.getInstance()), 0)) {
            DepthPredictor predictor = new DepthPredictor(model);
            loopBatch(predictor, pngs.subList(0, Math.min(batch, pngs.size())));
            long start = System.nanoTime();
            for (int i = 0; i < pngs.size(); i += batch) {
                loopBatch(predictor, pngs.subList(i, Math.min(pngs.size(), i + batch)));
            }
            return pngs.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private void loopBatch(DepthPredictor predictor, List<byte[]> pngs) {
        List<float[]> images = new ArrayList<>();
        for (byte[] png : pngs) {
            images.add(predictor.input(RgbImage.decode(png)));
        }
        float[][] disparities = predictor.disparity(images);
        predictor.pose(images, images);
        for (float[] disparity : disparities) {
            new DepthMap(config.width(), config.height(), EigenEvaluator.depth(disparity, config.depthRange()))
                    .encodeKittiPng();
        }
    }
}
