package io.depthstream.pipeline.config;

import io.depthstream.operators.codec.WireFormat;

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
 */
public record StreamingConfig(
        Kafka kafka,
        Model model,
        Triplets triplets,
        Output output,
        Checkpoints checkpoints,
        int parallelism) {

    /** The defaults: a local broker, a 640x192 ResNet-18, batches of 4 within 50 ms, one checkpoint every 2 s. */
    public static StreamingConfig defaults() {
        return new StreamingConfig(
                new Kafka("localhost:9092", "depthstream", "earliest",
                        new Topics(WireFormat.FRAMES_TOPIC, WireFormat.DEPTH_TOPIC, WireFormat.POSES_TOPIC,
                                WireFormat.DLQ_TOPIC),
                        4),
                new Model(null, null, "resnet18", 192, 640, 0, "auto", 4, 50, null),
                new Triplets(500, 10, 3000, 1_800_000),
                new Output(null),
                new Checkpoints(2000, null),
                1);
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
        if (triplets.maxOutOfOrdernessMs() < 0 || triplets.idleTimeoutMs() <= 0 || triplets.stateTtlMs() <= 0
                || triplets.maxGap() < 1) {
            return "triplets: max-out-of-orderness-ms >= 0, max-gap >= 1, idle-timeout-ms > 0, state-ttl-ms > 0 "
                    + "required, got " + triplets;
        }
        if (checkpoints.intervalMs() < 100) {
            return "checkpoints.interval-ms must be at least 100 (the Kafka sinks commit at checkpoints), got "
                    + checkpoints.intervalMs();
        }
        return null;
    }

    /** This configuration with another broker. */
    public StreamingConfig withBootstrap(String bootstrap) {
        return new StreamingConfig(new Kafka(bootstrap, kafka.groupId(), kafka.startFrom(), kafka.topics(),
                kafka.partitions()), model, triplets, output, checkpoints, parallelism);
    }

    /** This configuration with another model section. */
    public StreamingConfig withModel(Model newModel) {
        return new StreamingConfig(kafka, newModel, triplets, output, checkpoints, parallelism);
    }

    /** This configuration writing files under {@code dir} (null: no files). */
    public StreamingConfig withOutputDir(String dir) {
        return new StreamingConfig(kafka, model, triplets, new Output(dir), checkpoints, parallelism);
    }

    /** This configuration with another parallelism. */
    public StreamingConfig withParallelism(int newParallelism) {
        return new StreamingConfig(kafka, model, triplets, output, checkpoints, newParallelism);
    }

    /** This configuration with other triplet timing. */
    public StreamingConfig withTriplets(Triplets newTriplets) {
        return new StreamingConfig(kafka, model, newTriplets, output, checkpoints, parallelism);
    }

    /** This configuration with checkpoints in {@code dir} unless it already names a place. */
    public StreamingConfig withCheckpointDirIfUnset(String dir) {
        return checkpoints.dir() != null ? this
                : withCheckpoints(new Checkpoints(checkpoints.intervalMs(), dir));
    }

    /** This configuration with other checkpointing. */
    public StreamingConfig withCheckpoints(Checkpoints newCheckpoints) {
        return new StreamingConfig(kafka, model, triplets, output, newCheckpoints, parallelism);
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
    public record Topics(String frames, String depth, String poses, String dlq) {}

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
     */
    public record Model(String weights, String init, String arch, int height, int width, long seed, String device,
            int batchSize, long maxBatchDelayMs, Double cameraHeightM) {}

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
}
