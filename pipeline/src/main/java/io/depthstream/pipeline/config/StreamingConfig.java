package io.depthstream.pipeline.config;

import io.depthstream.model.io.ShippedModel;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.inference.FramePolicy;
import io.depthstream.operators.inference.InferenceSettings;
import io.depthstream.operators.schedule.DecodeLayout;
import io.depthstream.pipeline.kafka.KafkaClientProperties;

import java.util.Map;

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

    /**
     * Why this configuration cannot run, or null when it can: one line naming the first bad key (as spelt in the
     * config file) and the values it allows. Every key is checked, fine-tune.* also while fine-tuning is off (only
     * fine-tune.store is required just when it is on), so a mistake shows before it matters.
     */
    public String problem() {
        String problem = first(
                kafkaProblem(),
                modelProblem(),
                atLeast("triplets.max-out-of-orderness-ms", triplets.maxOutOfOrdernessMs(), 0),
                atLeast("triplets.max-gap", triplets.maxGap(), 1),
                atLeast("triplets.idle-timeout-ms", triplets.idleTimeoutMs(), 1),
                atLeast("triplets.state-ttl-ms", triplets.stateTtlMs(), 1),
                optionalText("output.dir", output.dir(), "a directory"),
                checkpoints.intervalMs() < 100 ? "checkpoints.interval-ms must be at least 100 (the Kafka sinks "
                        + "commit at checkpoints), got " + checkpoints.intervalMs() : null,
                optionalText("checkpoints.dir", checkpoints.dir(), "a URI (file:///…, s3://…)"),
                atLeast("parallelism", parallelism, 1));
        return problem != null ? problem : fineTune.problem();
    }

    private String kafkaProblem() {
        Topics topics = kafka.topics();
        String[][] named = {
            {"kafka.topics.frames", topics.frames()}, {"kafka.topics.depth", topics.depth()},
            {"kafka.topics.poses", topics.poses()}, {"kafka.topics.dlq", topics.dlq()},
            {"kafka.topics.model-updates", topics.modelUpdates()},
        };
        for (String[] topic : named) {
            if (topic[1] == null || !topic[1].matches("[a-zA-Z0-9._-]{1,249}") || topic[1].matches("\\.{1,2}")) {
                return topic[0] + " must be a Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -), got "
                        + shown(topic[1]);
            }
        }
        for (int i = 0; i < named.length; i++) {
            for (int j = i + 1; j < named.length; j++) {
                if (named[i][1].equals(named[j][1])) {
                    return named[j][0] + " must differ from " + named[i][0] + ", both are " + shown(named[i][1]);
                }
            }
        }
        return first(
                bootstrapProblem(kafka.bootstrap()),
                kafka.groupId() == null || kafka.groupId().isBlank()
                        ? "kafka.group-id must be a non-empty consumer group name, got " + shown(kafka.groupId())
                        : null,
                oneOf("kafka.start-from", kafka.startFrom(), "earliest", "latest", "committed"),
                atLeast("kafka.partitions", kafka.partitions(), 1),
                oneOf("kafka.dlq-value", kafka.dlqValue(), Kafka.DLQ_KEEP_VALUE, Kafka.DLQ_DROP_VALUE),
                kafka.properties() == null ? "kafka.properties: expected a mapping of Kafka client properties, got "
                        + "nothing (null)" : kafka.clientProperties().problem("kafka.properties."));
    }

    private static String bootstrapProblem(String bootstrap) {
        String expected = "kafka.bootstrap must be host:port[,host:port…] with ports 1-65535, got ";
        if (bootstrap == null || bootstrap.isBlank()) {
            return expected + shown(bootstrap);
        }
        for (String server : bootstrap.split(",", -1)) {
            int colon = server.strip().lastIndexOf(':');
            String port = colon < 0 ? "" : server.strip().substring(colon + 1);
            if (colon < 1 || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1
                    || Integer.parseInt(port) > 65535) {
                return expected + shown(bootstrap);
            }
        }
        return null;
    }

    private String modelProblem() {
        return first(
                model.weights() == null && model.init() == null
                        ? "model.weights is required (or model.init: synthetic for the shipped model trained on "
                                + "synthetic drives, or random for a seeded random model, whose depth is meaningless)"
                        : null,
                optionalText("model.weights", model.weights(), "a weights directory"),
                model.init() != null && !"random".equals(model.init()) && ShippedModel.byName(model.init()) == null
                        ? "model.init can only be random or " + ShippedModel.names() + " (or be left out), got "
                                + shown(model.init()) : null,
                oneOf("model.arch", model.arch(), "resnet18", "resnet50", "lite"),
                networkSide("model.height", model.height()),
                networkSide("model.width", model.width()),
                model.seed() < Integer.MIN_VALUE || model.seed() > Integer.MAX_VALUE
                        ? "model.seed must be an integer in " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ", got "
                                + model.seed() : null,
                oneOf("model.device", model.device(), "auto", "cpu", "gpu"),
                atLeast("model.batch-size", model.batchSize(), 1),
                atLeast("model.max-batch-delay-ms", model.maxBatchDelayMs(), 0),
                model.cameraHeightM() != null && !(model.cameraHeightM() > 0 && model.cameraHeightM() < 100)
                        ? "model.camera-height-m must be a height in metres in (0, 100) (or be left out for relative "
                                + "scale), got " + model.cameraHeightM() : null,
                oneOf("model.frame-policy", model.framePolicy(), FramePolicy.EVERY_FRAME.configName(),
                        FramePolicy.LATEST_FRAME.configName()),
                atLeast("model.max-frame-age-ms", model.maxFrameAgeMs(), 1),
                oneOf("model.decode", model.decode(), DecodeLayout.AUTO.configName(),
                        DecodeLayout.OVERLAPPED.configName(), DecodeLayout.BETWEEN_BATCHES.configName()));
    }

    /** The network input side: the encoder downsamples by 32 and its deepest map needs two pixels. */
    private static String networkSide(String key, int value) {
        return value < 64 || value % 32 != 0
                ? key + " must be a multiple of 32 of at least 64 (e.g. height 192, width 640), got " + value : null;
    }

    static String atLeast(String key, long value, long minimum) {
        return value < minimum ? key + " must be at least " + minimum + ", got " + value : null;
    }

    static String oneOf(String key, String value, String... allowed) {
        for (String option : allowed) {
            if (option.equals(value)) {
                return null;
            }
        }
        String choices = allowed.length == 1 ? allowed[0]
                : String.join(", ", java.util.Arrays.copyOf(allowed, allowed.length - 1)) + " or "
                        + allowed[allowed.length - 1];
        return key + " must be " + choices + ", got " + shown(value);
    }

    /** An optional text setting: absent is fine, present must say something. */
    private static String optionalText(String key, String value, String what) {
        return value != null && value.isBlank() ? key + " must be " + what + " or be left out, got " + shown(value)
                : null;
    }

    /** A configured value quoted for a one-line message. */
    static String shown(String value) {
        if (value == null) {
            return "nothing";
        }
        String line = value.replaceAll("\\p{Cntrl}", "?");
        return "'" + (line.length() <= 80 ? line : line.substring(0, 80) + "…") + "'";
    }

    static String first(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** This configuration with another broker. */
    public StreamingConfig withBootstrap(String bootstrap) {
        return new StreamingConfig(new Kafka(bootstrap, kafka.groupId(), kafka.startFrom(), kafka.topics(),
                kafka.partitions(), kafka.properties(), kafka.dlqValue()), model, triplets, output, checkpoints,
                parallelism, fineTune);
    }

    /** This configuration with {@code overlay} replacing or adding to its Kafka client properties. */
    public StreamingConfig withKafkaProperties(KafkaClientProperties overlay) {
        return new StreamingConfig(new Kafka(kafka.bootstrap(), kafka.groupId(), kafka.startFrom(), kafka.topics(),
                kafka.partitions(), kafka.clientProperties().with(overlay).values(), kafka.dlqValue()), model,
                triplets, output, checkpoints, parallelism, fineTune);
    }

    /**
     * This configuration on {@code bootstrap} with a consumer group and topics of its own, for jobs side by side on
     * one broker: group {@code PREFIX-job} reading from the earliest offset, topics {@code PREFIX-frames},
     * {@code -depth}, {@code -poses}, {@code -dlq} and {@code -model-updates} of {@code partitions} partitions.
     */
    public StreamingConfig withOwnTopics(String bootstrap, String prefix, int partitions) {
        return new StreamingConfig(new Kafka(bootstrap, prefix + "-job", "earliest", new Topics(prefix + "-frames",
                prefix + "-depth", prefix + "-poses", prefix + "-dlq", prefix + "-model-updates"), partitions,
                kafka.properties(), kafka.dlqValue()), model, triplets, output, checkpoints, parallelism, fineTune);
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
     * @param properties Kafka client properties every client of the project takes (security.protocol, sasl.*,
     *     ssl.*, config providers, tuning); secrets in them are printed redacted
     * @param dlqValue {@code keep}: a dead letter copies the rejected record's value (the frame); {@code drop}: it
     *     keeps only key, headers and reason, so no image persists on the dead-letter topic
     */
    public record Kafka(String bootstrap, String groupId, String startFrom, Topics topics, int partitions,
            Map<String, String> properties, String dlqValue) {

        /** {@code kafka.dlq-value} that copies the rejected record's value. */
        public static final String DLQ_KEEP_VALUE = "keep";
        /** {@code kafka.dlq-value} that leaves the value (the image) out of dead letters. */
        public static final String DLQ_DROP_VALUE = "drop";

        /** Plaintext clients with Kafka's defaults, dead letters with their values. */
        public Kafka(String bootstrap, String groupId, String startFrom, Topics topics, int partitions) {
            this(bootstrap, groupId, startFrom, topics, partitions, Map.of(), DLQ_KEEP_VALUE);
        }

        /** The client properties, typed. */
        public KafkaClientProperties clientProperties() {
            return new KafkaClientProperties(properties);
        }

        /** Whether dead letters carry the rejected record's value. */
        public boolean dlqKeepsValue() {
            return !DLQ_DROP_VALUE.equals(dlqValue);
        }
    }

    /** Topic names. */
    public record Topics(String frames, String depth, String poses, String dlq, String modelUpdates) {}

    /**
     * The model and its batching.
     *
     * @param weights native weights directory, or null with {@code init}
     * @param init {@code synthetic} for the model that ships with depthstream (trained on synthetic drives),
     *     {@code random} for a seeded random model (experiments and tests), else null
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
     * @param decode when frames are decoded: {@code overlapped} with inference, {@code between-batches} (in turns with
     *     it, on every core), or {@code auto}: between-batches where inference runs on the CPU with an intra-op thread
     *     per core, overlapped on a GPU or with cores to spare (decided on each TaskManager)
     */
    public record Model(String weights, String init, String arch, int height, int width, long seed, String device,
            int batchSize, long maxBatchDelayMs, Double cameraHeightM, String framePolicy, long maxFrameAgeMs,
            String decode) {

        /** A model section that decodes frames as {@code auto} decides. */
        public Model(String weights, String init, String arch, int height, int width, long seed, String device,
                int batchSize, long maxBatchDelayMs, Double cameraHeightM, String framePolicy, long maxFrameAgeMs) {
            this(weights, init, arch, height, width, seed, device, batchSize, maxBatchDelayMs, cameraHeightM,
                    framePolicy, maxFrameAgeMs, DecodeLayout.AUTO.configName());
        }

        /** This model section with another decode layout ({@code auto}, {@code overlapped}, {@code between-batches}). */
        public Model withDecode(String newDecode) {
            return new Model(weights, init, arch, height, width, seed, device, batchSize, maxBatchDelayMs,
                    cameraHeightM, framePolicy, maxFrameAgeMs, newDecode);
        }

        /** This model section with another model: native weights, or a random model when {@code weights} is null. */
        public Model withWeights(String newWeights, String newInit) {
            return new Model(newWeights, newInit, arch, height, width, seed, device, batchSize, maxBatchDelayMs,
                    cameraHeightM, framePolicy, maxFrameAgeMs, decode);
        }

        /** This model section with another frame policy ({@code every-frame} or {@code latest-frame}) and bound. */
        public Model withFramePolicy(String newFramePolicy, long newMaxFrameAgeMs) {
            return new Model(weights, init, arch, height, width, seed, device, batchSize, maxBatchDelayMs,
                    cameraHeightM, newFramePolicy, newMaxFrameAgeMs, decode);
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
            int evaluateEvery, double tolerance, String triplet, String device, double maxShare, int threads,
            Integer automaskWarmup, int replay) {

        /** Off; when on: every moving triplet, batches of 4, a 64-triplet buffer, 1 in 10 held out (16 kept),
         *  a candidate every 100 steps with 2% tolerance, photometric objective only, training at most half the
         *  time on one thread; the auto-mask warm-up by the start model (300 steps from random weights, none from
         *  trained ones), each training triplet trained on once. */
        public static FineTune defaults() {
            return new FineTune(false, null, 1.0, 0.01, null, 4, 64, 16, 10, 100, 0.02, "none", "auto", 0.5, 1, null, 1);
        }

        /**
         * Why these settings cannot run, or null when they can: one line naming the key and its allowed values. The
         * store is required only when fine-tuning is on; the other keys are checked either way.
         */
        public String problem() {
            return first(
                    enabled && (store == null || store.isBlank())
                            ? "fine-tune.store is required with fine-tuning on (a directory or URI for model versions)"
                            : null,
                    !(sampleRate > 0 && sampleRate <= 1)
                            ? "fine-tune.sample-rate must be in (0, 1], got " + sampleRate : null,
                    !(staticThreshold >= 0 && staticThreshold < 1)
                            ? "fine-tune.static-threshold must be in [0, 1), got " + staticThreshold : null,
                    learningRate != null && !(learningRate > 0 && learningRate < 1)
                            ? "fine-tune.learning-rate must be in (0, 1) (or be left out for the default), got "
                                    + learningRate : null,
                    atLeast("fine-tune.batch-size", batchSize, 1),
                    bufferCapacity < batchSize
                            ? "fine-tune.buffer-capacity must be at least fine-tune.batch-size (" + batchSize
                                    + "), got " + bufferCapacity : null,
                    atLeast("fine-tune.held-out-capacity", heldOutCapacity, 1),
                    atLeast("fine-tune.held-out-every", heldOutEvery, 2),
                    atLeast("fine-tune.evaluate-every", evaluateEvery, 1),
                    !(tolerance > -1 && tolerance <= 1) ? "fine-tune.tolerance must be in (-1, 1], got " + tolerance
                            : null,
                    oneOf("fine-tune.triplet", triplet, "none", "fsre", "isolated", "differential"),
                    oneOf("fine-tune.device", device, "auto", "cpu", "gpu"),
                    !(maxShare > 0 && maxShare <= 1) ? "fine-tune.max-share must be in (0, 1], got " + maxShare : null,
                    threads < 0 ? "fine-tune.threads must be 0 (the engine's default) or more, got " + threads : null,
                    automaskWarmup != null && automaskWarmup < 0
                            ? "fine-tune.automask-warmup must be 0 or more steps (or be left out for the default), got "
                                    + automaskWarmup : null,
                    atLeast("fine-tune.replay", replay, 1));
        }

        /** These settings switched on or off. */
        public FineTune withEnabled(boolean on) {
            return new FineTune(on, store, sampleRate, staticThreshold, learningRate, batchSize, bufferCapacity,
                    heldOutCapacity, heldOutEvery, evaluateEvery, tolerance, triplet, device, maxShare, threads,
                    automaskWarmup, replay);
        }

        /** These settings switched on with {@code newStore}. */
        public FineTune enabledWith(String newStore) {
            return new FineTune(true, newStore, sampleRate, staticThreshold, learningRate, batchSize, bufferCapacity,
                    heldOutCapacity, heldOutEvery, evaluateEvery, tolerance, triplet, device, maxShare, threads,
                    automaskWarmup, replay);
        }
    }
}
