package io.depthstream.pipeline.config;

import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.inference.FramePolicy;
import io.depthstream.operators.inference.InferenceSettings;

/**
 * Everything the streaming job is configured with; read from YAML or JSON by {@link ConfigFiles}, missing keys
 * keep the defaults of {@link #defaults()}.
 *
 * @param kafka broker, topics and consumer settings
 * @param model where the model comes from and how inference batches
 * @param triplets triplet-assembly timing
 * @param output optional file outputs
 * @param checkpoints checkpointing (the Kafka sinks are exactly-once, so results commit at each checkpoint)
 * @param parallelism parallelism of the job's operators
 * @param fineTune online self-supervised fine-tuning (off by default)
 */
public record StreamingConfig(
        Kafka kafka,
        Model model,
        Triplets triplets,
        Output output,
        Checkpoints checkpoints,
        int parallelism,
        FineTune fineTune) {

    /**
     * The defaults: a local broker, a 640x192 ResNet-18, batches of 4 within 50 ms, every frame inferred, one
     * checkpoint every 2 s.
     */
    public static StreamingConfig defaults() {
        return new StreamingConfig(
                new Kafka("localhost:9092", "depthstream", "earliest",
                        new Topics(WireFormat.FRAMES_TOPIC, WireFormat.DEPTH_TOPIC, WireFormat.POSES_TOPIC,
                                WireFormat.DLQ_TOPIC, WireFormat.MODEL_UPDATES_TOPIC),
                        4),
                new Model(null, null, "resnet18", 192, 640, 0, "auto", 4, 50, null,
                        FramePolicy.EVERY_FRAME.configName(), InferenceSettings.DEFAULT_MAX_FRAME_AGE_MS),
                new Triplets(500, 10, 3000, 1_800_000),
                new Output(null),
                new Checkpoints(2000, null),
                1,
                FineTune.defaults());
    }

    /** Why this configuration cannot run, or null when it can. */
    public String problem() {
        if (parallelism < 1) {
            return "parallelism must be at least 1, got " + parallelism;
        }
        if (kafka.bootstrap() == null || kafka.bootstrap().isBlank()) {
            return "kafka.bootstrap is required";
        }
        if (!"earliest".equals(kafka.startFrom()) && !"latest".equals(kafka.startFrom())
                && !"committed".equals(kafka.startFrom())) {
            return "kafka.start-from must be earliest, latest or committed, got " + kafka.startFrom();
        }
        if (kafka.partitions() < 1) {
            return "kafka.partitions must be at least 1, got " + kafka.partitions();
        }
        if (model.batchSize() < 1) {
            return "model.batch-size must be at least 1, got " + model.batchSize();
        }
        if (model.maxBatchDelayMs() < 0) {
            return "model.max-batch-delay-ms must not be negative, got " + model.maxBatchDelayMs();
        }
        if (model.weights() == null && model.init() == null) {
            return "model.weights is required (or model.init: random for a seeded random model, whose depth is"
                    + " meaningless)";
        }
        if (model.init() != null && !"random".equals(model.init())) {
            return "model.init can only be random, got " + model.init();
        }
        if (model.cameraHeightM() != null && !(model.cameraHeightM() > 0)) {
            return "model.camera-height-m must be positive, got " + model.cameraHeightM();
        }
        try {
            FramePolicy.parse(model.framePolicy());
        } catch (IllegalArgumentException e) {
            return "model.frame-policy must be " + FramePolicy.allowed() + ", got " + model.framePolicy();
        }
        if (model.maxFrameAgeMs() < 1) {
            return "model.max-frame-age-ms must be at least 1, got " + model.maxFrameAgeMs();
        }
        if (triplets.maxOutOfOrdernessMs() < 0 || triplets.idleTimeoutMs() <= 0 || triplets.stateTtlMs() <= 0
                || triplets.maxGap() < 1) {
            return "triplets: max-out-of-orderness-ms >= 0, max-gap >= 1, idle-timeout-ms > 0, state-ttl-ms > 0 "
                    + "required, got " + triplets;
        }
        if (checkpoints.intervalMs() < 100) {
            return "checkpoints.interval-ms must be at least 100 (the Kafka sinks commit at checkpoints), got "
                    + checkpoints.intervalMs();
        }
        return fineTune.enabled() ? fineTune.problem() : null;
    }

    /** This configuration with another broker. */
    public StreamingConfig withBootstrap(String bootstrap) {
        return new StreamingConfig(new Kafka(bootstrap, kafka.groupId(), kafka.startFrom(), kafka.topics(),
                kafka.partitions()), model, triplets, output, checkpoints, parallelism, fineTune);
    }

    /** This configuration with another model section. */
    public StreamingConfig withModel(Model newModel) {
        return new StreamingConfig(kafka, newModel, triplets, output, checkpoints, parallelism, fineTune);
    }

    /** This configuration writing files under {@code dir} (null: no files). */
    public StreamingConfig withOutputDir(String dir) {
        return new StreamingConfig(kafka, model, triplets, new Output(dir), checkpoints, parallelism, fineTune);
    }

    /** This configuration with another parallelism. */
    public StreamingConfig withParallelism(int newParallelism) {
        return new StreamingConfig(kafka, model, triplets, output, checkpoints, newParallelism, fineTune);
    }

    /** This configuration with other triplet timing. */
    public StreamingConfig withTriplets(Triplets newTriplets) {
        return new StreamingConfig(kafka, model, newTriplets, output, checkpoints, parallelism, fineTune);
    }

    /** This configuration with checkpoints in {@code dir} unless it already names a place. */
    public StreamingConfig withCheckpointDirIfUnset(String dir) {
        return checkpoints.dir() != null ? this
                : withCheckpoints(new Checkpoints(checkpoints.intervalMs(), dir));
    }

    /** This configuration with other checkpointing. */
    public StreamingConfig withCheckpoints(Checkpoints newCheckpoints) {
        return new StreamingConfig(kafka, model, triplets, output, newCheckpoints, parallelism, fineTune);
    }

    /** This configuration with other fine-tuning settings. */
    public StreamingConfig withFineTune(FineTune newFineTune) {
        return new StreamingConfig(kafka, model, triplets, output, checkpoints, parallelism, newFineTune);
    }

    /**
     * Kafka settings.
     *
     * @param bootstrap bootstrap servers, host:port[,host:port…]
     * @param groupId consumer group of the frames source
     * @param startFrom where a job without committed offsets starts: earliest, latest or committed (committed
     *     offsets, else earliest)
     * @param topics topic names
     * @param partitions partitions of topics the job creates when they are missing
     */
    public record Kafka(String bootstrap, String groupId, String startFrom, Topics topics, int partitions) {}

    /** Topic names. */
    public record Topics(String frames, String depth, String poses, String dlq, String modelUpdates) {}

    /**
     * The model and its batching.
     *
     * @param weights native weights directory, or null with {@code init: random}
     * @param init {@code random} for a seeded random model (experiments and tests), else null
     * @param arch architecture of a random model: resnet18, resnet50 or lite
     * @param height network input height of a random model
     * @param width network input width of a random model
     * @param seed seed of a random model
     * @param device auto, cpu or gpu
     * @param batchSize triplets per inference batch (across cameras)
     * @param maxBatchDelayMs longest a triplet waits for its batch to fill
     * @param cameraHeightM camera height above the road in metres: scales depth and translation to metres from
     *     the ground plane; null keeps relative scale
     * @param framePolicy {@code every-frame}: every frame is inferred, and when inference is slower than the input
     *     back-pressure reaches the Kafka source (lag grows, nothing is dropped); {@code latest-frame} (live use):
     *     frames older than {@code max-frame-age-ms} when they reach inference are dropped and counted, except each
     *     camera's newest
     * @param maxFrameAgeMs with {@code latest-frame}: age (wall-clock time since capture, the record timestamp) beyond
     *     which a frame is stale
     */
    public record Model(String weights, String init, String arch, int height, int width, long seed, String device,
            int batchSize, long maxBatchDelayMs, Double cameraHeightM, String framePolicy, long maxFrameAgeMs) {

        /** This model section with another model: native weights, or a random model when {@code weights} is null. */
        public Model withWeights(String newWeights, String newInit) {
            return new Model(newWeights, newInit, arch, height, width, seed, device, batchSize, maxBatchDelayMs,
                    cameraHeightM, framePolicy, maxFrameAgeMs);
        }

        /** This model section with another frame policy ({@code every-frame} or {@code latest-frame}) and bound. */
        public Model withFramePolicy(String newFramePolicy, long newMaxFrameAgeMs) {
            return new Model(weights, init, arch, height, width, seed, device, batchSize, maxBatchDelayMs,
                    cameraHeightM, newFramePolicy, newMaxFrameAgeMs);
        }
    }

    /**
     * Triplet assembly timing.
     *
     * @param maxOutOfOrdernessMs how far (event time) frames may arrive out of order and still be reordered
     * @param maxGap a jump of more sequence numbers than this starts a new sequence
     * @param idleTimeoutMs after this long (processing time) without frames, a camera's buffered frames are emitted
     * @param stateTtlMs state of a camera silent for this long is dropped
     */
    public record Triplets(long maxOutOfOrdernessMs, long maxGap, long idleTimeoutMs, long stateTtlMs) {}

    /** Optional outputs. @param dir directory for per-camera depth PNGs, colour previews and trajectories, or null */
    public record Output(String dir) {}

    /**
     * Checkpointing.
     *
     * @param intervalMs checkpoint interval; results become visible to read_committed consumers at each checkpoint
     * @param dir checkpoint storage URI (e.g. file:///var/depthstream/checkpoints, s3://bucket/path); null: a
     *     temporary directory when the job runs locally, the cluster's own setting when submitted to a cluster
     */
    public record Checkpoints(long intervalMs, String dir) {}

    /**
     * Online self-supervised fine-tuning: the assembler samples triplets to a learner (parallelism 1) that publishes
     * versions to a model store and announces them on the model-updates topic; inference swaps to them.
     *
     * @param enabled whether the learner runs
     * @param store model store: a directory or a Flink file system URI (s3://, hdfs://)
     * @param sampleRate fraction of full, moving triplets sent to the learner, in (0, 1]
     * @param staticThreshold mean absolute frame difference (in [0, 1]) below which a neighbour pair counts as static
     *     and the triplet is not sampled
     * @param learningRate Adam's learning rate, or null for the default: 1e-5 from trained weights, 1e-4 from a
     *     random model
     * @param batchSize triplets per training step
     * @param bufferCapacity triplets waiting for training; beyond it the oldest is dropped (never back-pressure)
     * @param heldOutCapacity recent triplets kept for the regression guard, never trained on
     * @param heldOutEvery every n-th sampled triplet is held out
     * @param evaluateEvery training steps between candidate evaluations (and publications)
     * @param tolerance relative held-out loss regression a candidate may show and still be published
     * @param triplet triplet loss term added to the photometric objective: none, fsre, isolated or differential
     * @param device where the learner trains: auto, cpu or gpu
     * @param maxShare the largest fraction of wall-clock time the learner spends training, in (0, 1]: after a step
     *     of t seconds it idles t·(1 − share)/share, leaving the device to inference the rest of the time
     * @param threads PyTorch intra-op threads of the learner's training thread, or 0 for the engine's default
     *     (inference keeps its own)
     */
    public record FineTune(boolean enabled, String store, double sampleRate, double staticThreshold,
            Double learningRate, int batchSize, int bufferCapacity, int heldOutCapacity, int heldOutEvery,
            int evaluateEvery, double tolerance, String triplet, String device, double maxShare, int threads) {

        /** Off; when on: every moving triplet, batches of 4, a 64-triplet buffer, 1 in 10 held out (16 kept),
         *  a candidate every 100 steps with 2% tolerance, photometric objective only, training at most half the
         *  time on one thread. */
        public static FineTune defaults() {
            return new FineTune(false, null, 1.0, 0.01, null, 4, 64, 16, 10, 100, 0.02, "none", "auto", 0.5, 1);
        }

        /** Why these settings cannot run, or null when they can (checked only when enabled). */
        public String problem() {
            if (store == null || store.isBlank()) {
                return "fine-tune.store is required with fine-tuning on (a directory or URI for model versions)";
            }
            if (!(sampleRate > 0 && sampleRate <= 1)) {
                return "fine-tune.sample-rate must be in (0, 1], got " + sampleRate;
            }
            if (!(staticThreshold >= 0 && staticThreshold < 1)) {
                return "fine-tune.static-threshold must be in [0, 1), got " + staticThreshold;
            }
            if (learningRate != null && !(learningRate > 0)) {
                return "fine-tune.learning-rate must be positive, got " + learningRate;
            }
            if (batchSize < 1 || bufferCapacity < batchSize) {
                return "fine-tune.batch-size must be at least 1 and fine-tune.buffer-capacity at least the batch size, "
                        + "got " + batchSize + " and " + bufferCapacity;
            }
            if (heldOutCapacity < 1 || heldOutEvery < 2) {
                return "fine-tune.held-out-capacity must be at least 1 and fine-tune.held-out-every at least 2, got "
                        + heldOutCapacity + " and " + heldOutEvery;
            }
            if (evaluateEvery < 1) {
                return "fine-tune.evaluate-every must be at least 1, got " + evaluateEvery;
            }
            if (!(tolerance > -1 && tolerance <= 1)) {
                return "fine-tune.tolerance must be in (-1, 1], got " + tolerance;
            }
            if (!java.util.List.of("none", "fsre", "isolated", "differential").contains(triplet)) {
                return "fine-tune.triplet must be none, fsre, isolated or differential, got " + triplet;
            }
            if (!java.util.List.of("auto", "cpu", "gpu").contains(device)) {
                return "fine-tune.device must be auto, cpu or gpu, got " + device;
            }
            if (!(maxShare > 0 && maxShare <= 1)) {
                return "fine-tune.max-share must be in (0, 1], got " + maxShare;
            }
            if (threads < 0) {
                return "fine-tune.threads must be 0 (the engine's default) or more, got " + threads;
            }
            return null;
        }

        /** These settings switched on or off. */
        public FineTune withEnabled(boolean on) {
            return new FineTune(on, store, sampleRate, staticThreshold, learningRate, batchSize, bufferCapacity,
                    heldOutCapacity, heldOutEvery, evaluateEvery, tolerance, triplet, device, maxShare, threads);
        }

        /** These settings switched on with {@code newStore}. */
        public FineTune enabledWith(String newStore) {
            return new FineTune(true, newStore, sampleRate, staticThreshold, learningRate, batchSize, bufferCapacity,
                    heldOutCapacity, heldOutEvery, evaluateEvery, tolerance, triplet, device, maxShare, threads);
        }
    }
}
