package io.depthstream.pipeline.job;

import ai.djl.Device;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.ShippedModel;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.online.OnlineLearnerConfig;
import io.depthstream.model.train.LossConfig;
import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.codec.FrameDecoder;
import io.depthstream.operators.codec.FrameDecoding;
import io.depthstream.operators.codec.FrameDeserializer;
import io.depthstream.operators.codec.FrameWatermarks;
import io.depthstream.operators.codec.IncomingFrame;
import io.depthstream.operators.codec.RejectedRecord;
import io.depthstream.operators.codec.RejectedRecordSerializer;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.inference.DepthResult;
import io.depthstream.operators.inference.FramePolicy;
import io.depthstream.operators.inference.InferenceOperator;
import io.depthstream.operators.inference.InferenceSettings;
import io.depthstream.operators.inference.ModelSource;
import io.depthstream.operators.learner.FineTuneSampling;
import io.depthstream.operators.learner.LearnerOperator;
import io.depthstream.operators.learner.LearnerSettings;
import io.depthstream.operators.learner.ModelUpdate;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.ModelUpdateDeserializer;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.operators.schedule.DecodeLayout;
import io.depthstream.operators.sink.ResultFileSink;
import io.depthstream.operators.sink.ResultKafkaSinks;
import io.depthstream.operators.triplet.Triplet;
import io.depthstream.operators.triplet.TripletAssembler;
import io.depthstream.operators.triplet.TripletTiming;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.config.TripletChoice;
import io.depthstream.pipeline.kafka.KafkaAccess;
import io.depthstream.pipeline.kafka.KafkaClientProperties;
import io.depthstream.pipeline.kafka.KafkaErrors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.acl.AclOperation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The streaming job's graph (DESIGN.md, "Streaming job"): Kafka frames → decode, validate and resize (rejects to
 * the dead-letter topic) → watermarks → triplets per camera → batched depth and pose inference → exactly-once
 * depth and pose topics, and optionally per-camera files.
 */
public final class StreamingJob {

    /** The job's name in Flink. */
    public static final String NAME = "depthstream streaming";

    /** The slot-sharing group of the online learner and its sink on a cluster. */
    public static final String LEARNER_SLOT_SHARING_GROUP = "learner";

    private StreamingJob() {}

    /**
     * Adds the job to {@code env} and enables exactly-once checkpointing at the configured interval. Configured
     * weights are loaded once here to check them ({@link #loadable}).
     *
     * @throws IllegalArgumentException when the configuration cannot run
     * @throws io.depthstream.model.io.InvalidWeightsException when the configured weights cannot be loaded
     */
    public static void define(StreamExecutionEnvironment env, StreamingConfig config) {
        String problem = config.problem();
        if (problem == null) {
            // key stores and secret files must be readable here and, on a cluster, on every TaskManager
            problem = config.kafka().clientProperties().fileProblem("kafka.properties.");
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        StreamingConfig.Kafka kafka = config.kafka();
        ModelSource model = modelSource(config.model());
        ModelSource start = model;
        ModelConfig network;
        if (config.fineTune().enabled()) {
            // inference starts on the version the learner starts from, so every result names a store version
            ModelStore store = new ModelStore(config.fineTune().store());
            PublishedVersion serving = LearnerOperator.servingVersion(store, start, Device.cpu());
            model = ModelSource.storeVersion(serving);
            network = loadable(model);
        } else {
            network = model.weightsDirectory() == null ? networkConfig(model) : loadable(model);
        }
        InferenceSettings inference = new InferenceSettings(model, DeviceChoice.parse(config.model().device()),
                config.model().batchSize(), config.model().maxBatchDelayMs(), config.model().cameraHeightM(),
                FramePolicy.parse(config.model().framePolicy()), config.model().maxFrameAgeMs());
        TripletTiming timing = new TripletTiming(
                Duration.ofMillis(config.triplets().maxOutOfOrdernessMs()), config.triplets().maxGap(),
                Duration.ofMillis(config.triplets().idleTimeoutMs()), Duration.ofMillis(config.triplets().stateTtlMs()));

        env.setParallelism(config.parallelism());
        // Every record type is immutable and no function keeps a record it may not: chained operators can pass them
        // on as they are instead of copying each frame (368 KB at 640x192), triplet and result at every hop.
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(config.checkpoints().intervalMs(), CheckpointingMode.EXACTLY_ONCE);
        if (config.checkpoints().dir() != null) {
            // the assembler's state holds frames: more than the JobManager's 5 MB in-memory checkpoint limit
            Configuration storage = new Configuration();
            storage.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            storage.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpoints().dir());
            env.configure(storage);
        }

        KafkaSource<IncomingFrame> source = KafkaSource.<IncomingFrame>builder()
                .setProperties(kafka.clientProperties().source())
                .setBootstrapServers(kafka.bootstrap())
                .setTopics(kafka.topics().frames())
                .setGroupId(kafka.groupId())
                .setStartingOffsets(startingOffsets(kafka.startFrom()))
                .setDeserializer(new FrameDeserializer())
                .setProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        Integer.toString(WireFormat.MAX_RECORD_BYTES))
                .setProperty(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(4 * WireFormat.MAX_RECORD_BYTES))
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();

        SingleOutputStreamOperator<Frame> decoded = FrameDecoding.apply(
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "frames").uid("frames-source"),
                network.width(), network.height(), DecodeLayout.parse(config.model().decode()),
                DeviceChoice.parse(config.model().device()));
        decoded.getSideOutput(FrameDecoder.REJECTED)
                .sinkTo(KafkaSink.<RejectedRecord>builder()
                        .setKafkaProducerConfig(kafka.clientProperties().sink())
                        .setBootstrapServers(kafka.bootstrap())
                        .setRecordSerializer(new RejectedRecordSerializer(kafka.topics().dlq(),
                                kafka.dlqKeepsValue()))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(kafka.groupId() + "-dlq")
                        .setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                Integer.toString(WireFormat.MAX_RECORD_BYTES))
                        .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                                Integer.toString(ResultKafkaSinks.TRANSACTION_TIMEOUT_MS))
                        .build())
                .name("frames-dlq")
                .uid("dlq-sink");

        StreamingConfig.FineTune fineTune = config.fineTune();
        FineTuneSampling sampling = fineTune.enabled()
                ? new FineTuneSampling(fineTune.sampleRate(), fineTune.staticThreshold()) : null;
        SingleOutputStreamOperator<Triplet> triplets = decoded
                .assignTimestampsAndWatermarks(FrameWatermarks.strategy(timing.maxOutOfOrderness(),
                        timing.idleTimeout()))
                .name("watermarks")
                .uid("watermarks")
                // A frame (368 KB at 640x192) fills most of a network buffer: left to the 100 ms flush timer, the
                // last frame decoded between two batches would wait for it while inference has nothing to run.
                .setBufferTimeout(0)
                .keyBy(Frame::cameraId)
                .process(new TripletAssembler(timing, sampling))
                .name("triplets")
                .uid("triplets");

        SingleOutputStreamOperator<DepthResult> results;
        if (fineTune.enabled()) {
            // Flink graphs have no cycles: the learner's updates go out to Kafka and come back in as a source
            // a shipped model is trained weights too: its learner takes the trained-weights defaults
            boolean trained = config.model().weights() != null || !"random".equals(config.model().init());
            LearnerSettings learner = new LearnerSettings(fineTune.store(), start, DeviceChoice.parse(fineTune.device()),
                    learnerConfig(fineTune, trained), fineTune.maxShare(), fineTune.threads());
            // On a cluster the learner gets a slot of its own (with one slot per TaskManager: a TaskManager of its
            // own), so training does not share a slot, its memory budget and its device with inference. A local
            // MiniCluster is sized by the job's parallelism alone and would wait for the extra slot forever; there
            // the learner shares a slot, as before.
            String learnerGroup = isLocal(env) ? "default" : LEARNER_SLOT_SHARING_GROUP;
            LearnerOperator.apply(triplets.getSideOutput(TripletAssembler.FINE_TUNE), learner)
                    .name("learner")
                    .slotSharingGroup(learnerGroup)
                    .sinkTo(ResultKafkaSinks.modelUpdates(kafka.bootstrap(), kafka.clientProperties().sink(),
                            kafka.topics().modelUpdates()))
                    .name("model-updates")
                    .uid("model-updates-sink")
                    .setParallelism(1)
                    .slotSharingGroup(learnerGroup);
            KafkaSource<ModelUpdate> updateSource = KafkaSource.<ModelUpdate>builder()
                    .setProperties(kafka.clientProperties().source())
                    .setBootstrapServers(kafka.bootstrap())
                    .setTopics(kafka.topics().modelUpdates())
                    .setGroupId(kafka.groupId() + "-model-updates")
                    // the learner announces its serving version when it starts: older records are not this job's
                    .setStartingOffsets(OffsetsInitializer.latest())
                    .setDeserializer(new ModelUpdateDeserializer())
                    .build();
            DataStream<ModelUpdate> updates = env
                    .fromSource(updateSource, WatermarkStrategy.noWatermarks(), "model-updates source")
                    .uid("model-updates-source")
                    .setParallelism(1);
            results = InferenceOperator.applyWithUpdates(triplets, updates, inference);
        } else {
            results = InferenceOperator.apply(triplets, inference);
        }
        results.sinkTo(ResultKafkaSinks.depth(kafka.bootstrap(), kafka.clientProperties().sink(),
                        kafka.topics().depth(), kafka.groupId() + "-depth"))
                .name("depth")
                .uid("depth-sink");
        results.sinkTo(ResultKafkaSinks.poses(kafka.bootstrap(), kafka.clientProperties().sink(),
                        kafka.topics().poses(), kafka.groupId() + "-poses"))
                .name("poses")
                .uid("poses-sink");
        if (config.output().dir() != null) {
            ResultFileSink.writeTo(results, Path.of(config.output().dir()));
        }
    }

    /**
     * Creates the job's topics that are missing (frame-sized records, the configured partitions, the cluster's
     * replication) and reports topics whose record limit is too small.
     *
     * @return one line per problem; empty when every topic can carry frames
     */
    public static List<String> ensureTopics(StreamingConfig config, short replicationFactor, Duration timeout) {
        StreamingConfig.Kafka kafka = config.kafka();
        List<TopicSpec> specs = new ArrayList<>();
        List<String> topics = new ArrayList<>(List.of(kafka.topics().frames(), kafka.topics().depth(),
                kafka.topics().poses(), kafka.topics().dlq()));
        if (config.fineTune().enabled()) {
            topics.add(kafka.topics().modelUpdates());
        }
        for (String topic : topics) {
            specs.add(new TopicSpec(topic, kafka.partitions(), replicationFactor, WireFormat.MAX_RECORD_BYTES));
        }
        List<String> problems = new ArrayList<>();
        for (TopicStatus status : TopicProvisioner.ensure(kafka.bootstrap(), kafka.clientProperties(), specs,
                timeout)) {
            if (!status.ok()) {
                problems.add(status.problem());
            }
        }
        return problems;
    }

    /**
     * Asks the broker whether the job's principal holds every ACL the job needs: READ on the frames topic and the
     * consumer group, WRITE on the result and dead-letter topics, the exactly-once sinks' transactional ids, and with
     * fine-tuning READ and WRITE on model-updates.
     *
     * @return one line per missing ACL, naming the operation and the resource; empty when nothing is missing
     * @throws IllegalStateException in one line when the broker refuses the client or does not answer
     */
    public static List<String> missingAcls(StreamingConfig config, Duration timeout) {
        StreamingConfig.Kafka kafka = config.kafka();
        KafkaClientProperties properties = kafka.clientProperties();
        List<KafkaAccess.TopicNeed> needs = new ArrayList<>(List.of(
                new KafkaAccess.TopicNeed(kafka.topics().frames(), AclOperation.READ),
                new KafkaAccess.TopicNeed(kafka.topics().depth(), AclOperation.WRITE),
                new KafkaAccess.TopicNeed(kafka.topics().poses(), AclOperation.WRITE),
                new KafkaAccess.TopicNeed(kafka.topics().dlq(), AclOperation.WRITE)));
        if (config.fineTune().enabled()) {
            needs.add(new KafkaAccess.TopicNeed(kafka.topics().modelUpdates(), AclOperation.READ));
            needs.add(new KafkaAccess.TopicNeed(kafka.topics().modelUpdates(), AclOperation.WRITE));
        }
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Admin admin = Admin.create(properties.admin(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs)))) {
            String user = properties.saslUser();
            return KafkaAccess.missing(admin, user == null ? null : "User:" + user, needs, kafka.groupId(),
                    List.of(kafka.groupId() + "-depth", kafka.groupId() + "-poses", kafka.groupId() + "-dlq"),
                    timeout);
        } catch (RuntimeException e) {
            throw new IllegalStateException(KafkaErrors.describe("cannot check the job's Kafka ACLs", e,
                    kafka.bootstrap(), properties), e);
        }
    }

    /**
     * Flink settings for running the job on a local MiniCluster (the same belong in a cluster's config.yaml): frames
     * cross the keyed exchange as RGB8 at network size (368 KB at 640x192), and with Flink's 32 KB network buffers
     * less than one frame fits in flight, so decoding cannot run ahead of inference and batches stay partly empty.
     * 512 KB segments let several frames queue in front of the inference operator.
     */
    public static Configuration localConfiguration() {
        Configuration configuration = new Configuration();
        configuration.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, MemorySize.parse(NETWORK_SEGMENT_SIZE));
        return configuration;
    }

    /** Network buffer size that lets frames queue between decoding and inference (see {@link #localConfiguration}). */
    public static final String NETWORK_SEGMENT_SIZE = "512kb";

    /**
     * The learner's settings from the configuration: the configured learning rate and auto-mask warm-up, else 1e-5
     * and none when fine-tuning trained weights, 1e-4 and {@link OnlineLearnerConfig#FROM_SCRATCH_AUTOMASK_WARMUP}
     * steps from a random model.
     */
    static OnlineLearnerConfig learnerConfig(StreamingConfig.FineTune fineTune, boolean trainedWeights) {
        LossConfig loss = TripletChoice.parse(fineTune.triplet()).applyTo(LossConfig.monodepth2());
        OnlineLearnerConfig defaults = OnlineLearnerConfig.defaults(trainedWeights, loss, 0);
        return new OnlineLearnerConfig(loss,
                fineTune.learningRate() != null ? fineTune.learningRate() : defaults.learningRate(),
                fineTune.batchSize(), fineTune.bufferCapacity(), fineTune.heldOutCapacity(), fineTune.heldOutEvery(),
                fineTune.evaluateEvery(), fineTune.tolerance(), defaults.augment(), defaults.seed(),
                fineTune.automaskWarmup() != null ? fineTune.automaskWarmup() : defaults.autoMaskWarmupSteps(),
                fineTune.replay());
    }

    /** Where the configured model comes from. */
    static ModelSource modelSource(StreamingConfig.Model model) {
        if (model.weights() != null) {
            return ModelSource.weights(Path.of(model.weights()));
        }
        ShippedModel shipped = ShippedModel.byName(model.init());
        if (shipped != null) {
            return ModelSource.shipped(shipped);
        }
        ModelConfig config = ModelConfig.monodepth2(Architecture.parse(model.arch()))
                .withSize(model.height(), model.width());
        return ModelSource.random(config, Math.toIntExact(model.seed()));
    }

    /**
     * Loads the weights inference will serve once, on the CPU, and returns their configuration: a missing, incomplete
     * or corrupt weights directory fails here, before the job is submitted, with one message naming the path. Found
     * only in the subtasks' {@code open}, it would fail the job over and over instead, since Flink restarts a
     * checkpointed job without end.
     *
     * @throws io.depthstream.model.io.InvalidWeightsException or
     *     {@link io.depthstream.operators.learner.ModelStoreException} naming the path at fault
     */
    static ModelConfig loadable(ModelSource model) {
        try (DepthModel loaded = model.load(Device.cpu())) {
            return loaded.config();
        }
    }

    /**
     * The network input size, {@code WIDTHxHEIGHT}, that frames are resized to (and that the triplet state holds them
     * at), read from the configured model without loading its weights.
     */
    public static String inputSize(StreamingConfig config) {
        ModelConfig network = networkConfig(modelSource(config.model()));
        return network.width() + "x" + network.height();
    }

    /** The network's configuration (its input size is what frames are resized to). */
    static ModelConfig networkConfig(ModelSource model) {
        if (model.shipped() != null) {
            return ShippedModel.byName(model.shipped()).config();
        }
        if (model.weightsDirectory() != null) {
            return ModelWeights.readConfig(Path.of(model.weightsDirectory()));
        }
        return new ModelConfig(model.architecture(), model.height(), model.width(), model.minDepth(),
                model.maxDepth(), model.scales());
    }

    /** Whether {@code env} runs its jobs on a MiniCluster in this JVM (createLocalEnvironment). */
    private static boolean isLocal(StreamExecutionEnvironment env) {
        return "local".equals(env.getConfiguration().get(DeploymentOptions.TARGET));
    }

    private static OffsetsInitializer startingOffsets(String startFrom) {
        return switch (startFrom) {
            case "latest" -> OffsetsInitializer.latest();
            // a group without committed offsets (a first start) begins at the earliest frame, as documented; without
            // the fallback the source fails with NoOffsetForPartitionException, and a restart cannot change that
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default -> OffsetsInitializer.earliest();
        };
    }
}
