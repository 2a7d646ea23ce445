package io.depthstream.operators.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.depthstream.model.io.InvalidWeightsException;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.fault.UnrunnableJobException;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.ModelUpdate;
import io.depthstream.operators.schedule.CpuGate;
import io.depthstream.operators.triplet.Triplet;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.stream.Stream;

/**
 * Runs depth and pose inference on triplets in micro-batches across cameras and emits one {@link DepthResult} per
 * triplet, with each camera's accumulated pose kept in keyed state ({@link CameraTrack}).
 *
 * <p>A batch runs when it holds {@code batch-size} triplets, when its first triplet has waited
 * {@code max-batch-delay-ms} of processing time, and at the end of input. A checkpoint does not run it: the pending
 * triplets go into the checkpoint as keyed state of their cameras ({@value #PENDING_STATE}), so a restored subtask,
 * after a rescale whichever subtask owns the camera, runs them. (Running the batch at every barrier made every
 * checkpoint cost a batch of one to three triplets and one more round of decoding.) Watermarks that arrive while a batch is pending are held
 * back until it has run, so results never fall behind a watermark already forwarded. The operator runs on a
 * stream keyed by camera id; every camera's triplets arrive in seq order, and a batch is processed in arrival
 * order, so a camera's trajectory grows one frame at a time even inside one batch.
 *
 * <p>Each batch's model run holds the JVM's {@link CpuGate} as a model run: in the {@code between-batches} decode
 * layout no frame is decoded while it runs, so PyTorch's thread team has the cores to itself.
 *
 * <p>With online fine-tuning the operator has a second input, the {@code model-updates} records broadcast to every
 * subtask ({@link #applyWithUpdates}). A newer version is swapped in between batches: the pending batch runs on the
 * weights it was collected under, then the new weights are loaded, so no batch mixes versions, and every result
 * names the version that computed it. An update that cannot be loaded (missing or corrupt directory) is refused,
 * logged with its path and counted ({@value #REFUSED_METRIC}); the current version keeps serving. The served update
 * is operator state: a restored subtask serves the version it served at the checkpoint.
 *
 * <p><b>Slow inference.</b> With {@link FramePolicy#EVERY_FRAME} (the default) every triplet is inferred: when
 * inference is slower than the input, the operator's input queue fills and back-pressure reaches the Kafka source,
 * whose lag grows; nothing is dropped. With {@link FramePolicy#LATEST_FRAME} a triplet whose centre frame was captured
 * more than {@code max-frame-age-ms} of wall-clock time (processing time) before it reaches the operator is stale. A
 * stale triplet is not batched at once but parked as its camera's newest stale triplet; any triplet of the camera
 * parked before it is dropped, and so is a parked triplet when a newer triplet of its camera arrives. Each drop is
 * counted ({@value #STALE_DROPPED_METRIC}) and logged at most every {@value #DROP_LOG_INTERVAL_MS} ms. Parked
 * triplets run {@code max-batch-delay-ms} (at least 1 ms) after the first of them was parked, before every checkpoint
 * barrier and at the end of input, like the pending batch. So while a backlog drains through the operator, only each
 * camera's newest frame per interval is inferred; the newest frame of a camera that pauses or ends still gets its
 * result; fresh triplets are batched as usual. Every triplet that reaches the operator either gets exactly one result
 * or is counted once as dropped. Inference runs on the task thread: while a batch runs nothing is taken in, and
 * between batches the operator parks or drops at once whatever queued in front of it. A backlog thus shrinks by
 * about the frames that fit in the network buffers per batch (few, with frames of hundreds of KB), not by one frame
 * per inferred triplet; when the cameras are far ahead of inference the source is still back-pressured, but only
 * each camera's newest queued frame is inferred.
 *
 * <p>Poses across a drop: a result's {@code posePrevToCur} and {@code poseCurToNext} still relate its centre frame to
 * the frames seq − 1 and seq + 1 of its triplet. The accumulated {@code worldFromCamera} cannot bridge the dropped
 * frames (their motion was never estimated), so, as after a gap, it restarts at the identity at the first result
 * after a drop ({@link CameraTrack#follow}); it accumulates again over consecutive results.
 */
public final class InferenceOperator extends AbstractStreamOperator<DepthResult>
        implements OneInputStreamOperator<Triplet, DepthResult>, TwoInputStreamOperator<Triplet, ModelUpdate, DepthResult>,
        BoundedOneInput, BoundedMultiInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceOperator.class);

    /** Operator name and uid in a job graph (the uid keeps the camera tracks across job upgrades). */
    public static final String UID = "inference";

    /** Counter of model versions swapped in from the update input. */
    public static final String SWAPS_METRIC = "modelSwaps";
    /** Counter of model updates that could not be loaded. */
    public static final String REFUSED_METRIC = "modelUpdatesRefused";
    /** Counter of stale triplets dropped in {@link FramePolicy#LATEST_FRAME} mode (each never gets a result). */
    public static final String STALE_DROPPED_METRIC = "staleFramesDropped";
    /** Shortest time between two log lines about dropped stale frames. */
    public static final long DROP_LOG_INTERVAL_MS = 10_000;

    /**
     * Global job parameter for rehearsing recovery: the first attempt of every inference subtask fails after this
     * many batches (emitting their results first) once a checkpoint has completed, so the job restores from that
     * checkpoint and a deployment can watch its restart and its exactly-once output.
     */
    public static final String FAIL_AFTER_BATCHES_PARAMETER = "depthstream.chaos.fail-inference-after-batches";

    private final InferenceSettings settings;

    private transient TripletInference inference;
    private transient CpuGate gate;
    private transient Device device;
    private transient String modelVersion;
    private transient ModelUpdate servedUpdate;
    private transient ListState<String> servedState;
    private transient Counter swapCounter;
    private transient Counter refusedCounter;
    private transient GroundPlaneScale ground;
    private transient ValueState<CameraTrack> tracks;
    private transient ListState<PendingTriplet> pendingState;
    /** Cameras whose pending triplets the last snapshot wrote (cleared at the next). */
    private transient Set<String> storedPendingKeys;
    private transient List<Pending> batch;
    private transient ScheduledFuture<?> flushTimer;
    private transient long batchGeneration;
    private transient Watermark heldWatermark;
    private transient Counter batchCounter;
    private transient Counter frameCounter;
    private transient long inferenceNanosTotal;
    private transient long lastInferenceNanos;
    private transient long failAfterBatches;
    private transient boolean checkpointCompleted;
    /** Latest-frame mode: each camera's newest stale triplet, in the order the cameras were parked. */
    private transient Map<String, Pending> parked;
    private transient ScheduledFuture<?> parkedTimer;
    private transient long parkedGeneration;
    private transient Counter staleDroppedCounter;
    private transient long droppedSinceLog;
    private transient long lastDropLogMs;

    /** A triplet waiting for its batch, with its record timestamp and arrival time. */
    private record Pending(Triplet triplet, boolean hasTimestamp, long timestamp, long arrivedNanos) {}

    /** Name of the keyed state that holds each camera's pending triplets in a checkpoint. */
    public static final String PENDING_STATE = "pending-triplets";

    /**
     * A triplet of the pending batch as a checkpoint keeps it.
     *
     * @param triplet the triplet
     * @param hasTimestamp whether its record had a timestamp
     * @param timestamp that timestamp (its result's record timestamp)
     */
    public record PendingTriplet(Triplet triplet, boolean hasTimestamp, long timestamp) {}

    /** An operator with these settings; the model is loaded in {@link #open()}. */
    public InferenceOperator(InferenceSettings settings) {
        this.settings = settings;
    }

    /**
     * Adds inference to a stream of triplets. The stream must come straight (forward, same parallelism) from an
     * operator keyed by camera id, such as the triplet assembler: it is reinterpreted as keyed without another
     * shuffle, so the operator chains with its input.
     */
    public static SingleOutputStreamOperator<DepthResult> apply(DataStream<Triplet> triplets, InferenceSettings settings) {
        return DataStreamUtils.reinterpretAsKeyedStream(triplets, new CameraKey(), Types.STRING)
                .transform(UID, TypeInformation.of(DepthResult.class), new InferenceOperator(settings))
                .uid(UID);
    }

    /**
     * {@link #apply} with the model updates as a second input, broadcast to every subtask: inference swaps to each
     * newer version it can load.
     */
    public static SingleOutputStreamOperator<DepthResult> applyWithUpdates(
            DataStream<Triplet> triplets, DataStream<ModelUpdate> updates, InferenceSettings settings) {
        return DataStreamUtils.reinterpretAsKeyedStream(triplets, new CameraKey(), Types.STRING)
                .connect(updates.broadcast())
                .transform(UID, TypeInformation.of(DepthResult.class), new InferenceOperator(settings))
                .uid(UID);
    }

    /** Camera id as the key, the same key the triplet assembler's stream is partitioned by. */
    public static final class CameraKey implements KeySelector<Triplet, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Triplet triplet) {
            return triplet.cameraId();
        }
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // union state: after a rescale every subtask sees all served versions and takes the newest
        servedState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("served-model-update", Types.STRING));
        if (context.isRestored()) {
            for (String json : servedState.get()) {
                ModelUpdate update = ModelUpdate.fromJson(json.getBytes(StandardCharsets.UTF_8));
                if (servedUpdate == null || update.versionNumber() > servedUpdate.versionNumber()) {
                    servedUpdate = update;
                }
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        swapCounter = getMetricGroup().counter(SWAPS_METRIC);
        gate = CpuGate.shared();
        refusedCounter = getMetricGroup().counter(REFUSED_METRIC);
        device = settings.device().resolve(Engine.getInstance().getGpuCount(), assignedGpuIndex());
        if (servedUpdate != null && load(servedUpdate)) {
            LOG.info("inference subtask {} restored model {} from its checkpoint",
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), modelVersion);
        } else {
            servedUpdate = null;
            try {
                inference = new TripletInference(settings.model().load(device));
            } catch (InvalidWeightsException e) {
                // the client checked the weights before submitting, so this TaskManager does not see what the client
                // saw (a path only the client has): restarting here cannot help
                throw new UnrunnableJobException("this TaskManager cannot load the configured weights: "
                        + e.getMessage(), e);
            }
            modelVersion = settings.model().version();
        }
        ModelConfig config = inference.config();
        LOG.info("inference subtask {} runs model {} ({} {}x{}) on {}", getRuntimeContext().getTaskInfo()
                .getIndexOfThisSubtask(), modelVersion, config.architecture().configName(), config.width(),
                config.height(), device);
        ground = settings.cameraHeightM() == null ? null : new GroundPlaneScale(settings.cameraHeightM());
        failAfterBatches = getRuntimeContext().getTaskInfo().getAttemptNumber() == 0
                ? failAfterBatches(getExecutionConfig().getGlobalJobParameters().toMap()) : 0;
        tracks = getRuntimeContext().getState(
                new ValueStateDescriptor<>("camera-track", TypeInformation.of(CameraTrack.class)));
        batch = new ArrayList<>(settings.batchSize());
        pendingState = getRuntimeContext().getListState(
                new ListStateDescriptor<>(PENDING_STATE, TypeInformation.of(PendingTriplet.class)));
        storedPendingKeys = new HashSet<>();
        restorePending();
        parked = new LinkedHashMap<>();
        staleDroppedCounter = getMetricGroup().counter(STALE_DROPPED_METRIC);
        lastDropLogMs = Long.MIN_VALUE;
        batchCounter = getMetricGroup().counter("batches");
        frameCounter = getMetricGroup().counter("frames");
        getMetricGroup().<Double, org.apache.flink.metrics.Gauge<Double>>gauge("meanBatchSize", () ->
                batchCounter.getCount() == 0 ? 0.0 : (double) frameCounter.getCount() / batchCounter.getCount());
        getMetricGroup().<Double, org.apache.flink.metrics.Gauge<Double>>gauge("meanInferenceMs", () ->
                batchCounter.getCount() == 0 ? 0.0 : inferenceNanosTotal / 1e6 / batchCounter.getCount());
        getMetricGroup().<Long, org.apache.flink.metrics.Gauge<Long>>gauge("posePairsRun", inference::posePairsRun);
        getMetricGroup().<Double, org.apache.flink.metrics.Gauge<Double>>gauge("lastInferenceMs", () ->
                lastInferenceNanos / 1e6);
    }

    /**
     * The value of {@value #FAIL_AFTER_BATCHES_PARAMETER} in {@code parameters}; 0 (never fail) when absent.
     *
     * @throws IllegalArgumentException when it is not a positive integer
     */
    static long failAfterBatches(Map<String, String> parameters) {
        String value = parameters.get(FAIL_AFTER_BATCHES_PARAMETER);
        if (value == null) {
            return 0;
        }
        try {
            long batches = Long.parseLong(value.strip());
            if (batches > 0) {
                return batches;
            }
        } catch (NumberFormatException e) {
            // reported below with the key
        }
        throw new IllegalArgumentException(FAIL_AFTER_BATCHES_PARAMETER + " must be a positive number of batches, got "
                + value);
    }

    /** The GPU Flink's {@code gpu} external resource assigned to this TaskManager (its lowest index), else 0. */
    private int assignedGpuIndex() {
        Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos("gpu");
        return gpus.stream()
                .map(info -> info.getProperty("index"))
                .flatMap(Optional::stream)
                .mapToInt(index -> Integer.parseInt(index.trim()))
                .min()
                .orElse(0);
    }

    @Override
    public void processElement(StreamRecord<Triplet> element) throws Exception {
        Pending pending = new Pending(element.getValue(), element.hasTimestamp(), element.getTimestamp(),
                System.nanoTime());
        if (settings.framePolicy() == FramePolicy.LATEST_FRAME && parkedOrDropped(pending)) {
            return;
        }
        enqueue(pending);
    }

    /**
     * Latest-frame mode: drops whichever of {@code pending} and its camera's parked triplet is older, and parks
     * {@code pending} when it is stale. True when {@code pending} was parked or dropped, false when it is to be
     * batched now.
     */
    private boolean parkedOrDropped(Pending pending) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        Triplet triplet = pending.triplet();
        Pending earlier = parked.get(triplet.cameraId());
        if (earlier != null) {
            if (!newer(triplet, earlier.triplet())) {
                // older than a stale triplet of its camera (a late frame): stale as well, and superseded already
                dropped(now);
                return true;
            }
            parked.remove(triplet.cameraId());
            dropped(now);
        }
        if (now - triplet.cur().captureTimeMs() <= settings.maxFrameAgeMs()) {
            return false;
        }
        parked.put(triplet.cameraId(), pending);
        if (parkedTimer == null) {
            long generation = parkedGeneration;
            // the delay lets a backlog's later triplets supersede this one before anything is inferred
            long deadline = now + Math.max(1, settings.maxBatchDelayMs());
            parkedTimer = getProcessingTimeService().registerTimer(deadline, time -> {
                // parked triplets that already ran (checkpoint, end of input) must not flush their successors early
                if (generation == parkedGeneration) {
                    flushParked();
                }
            });
        }
        return true;
    }

    /** Whether {@code a}'s centre frame is newer than {@code b}'s: captured later, or as late with a higher seq. */
    private static boolean newer(Triplet a, Triplet b) {
        long at = a.cur().captureTimeMs();
        long bt = b.cur().captureTimeMs();
        return at != bt ? at > bt : a.cur().seq() > b.cur().seq();
    }

    /** Counts one dropped stale triplet and logs the drops at most every {@link #DROP_LOG_INTERVAL_MS}. */
    private void dropped(long now) {
        staleDroppedCounter.inc();
        droppedSinceLog++;
        if (lastDropLogMs == Long.MIN_VALUE || now - lastDropLogMs >= DROP_LOG_INTERVAL_MS) {
            LOG.info("inference subtask {} dropped {} stale frame(s) since its last report ({} in all): frames older "
                    + "than {} ms reach inference, which serves each camera's newest",
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), droppedSinceLog,
                    staleDroppedCounter.getCount(), settings.maxFrameAgeMs());
            droppedSinceLog = 0;
            lastDropLogMs = now;
        }
    }

    /** Adds a triplet to the pending batch, which runs when full or after the max batch delay. */
    private void enqueue(Pending pending) throws Exception {
        batch.add(pending);
        if (batch.size() >= settings.batchSize() || settings.maxBatchDelayMs() == 0) {
            flush();
        } else if (batch.size() == 1) {
            armBatchTimer();
        }
    }

    /** Runs the pending batch {@code max-batch-delay-ms} from now unless it has run by then. */
    private void armBatchTimer() {
        long generation = batchGeneration;
        long deadline = getProcessingTimeService().getCurrentProcessingTime() + settings.maxBatchDelayMs();
        flushTimer = getProcessingTimeService().registerTimer(deadline, time -> {
            // a batch that already ran (full, end of input) must not flush its successor early
            if (generation == batchGeneration) {
                flush();
            }
        });
    }

    /**
     * Takes the pending triplets a restored checkpoint holds into the batch (each camera's in their order), which
     * then runs after the max batch delay or when full.
     */
    private void restorePending() throws Exception {
        KeyedStateBackend<Object> backend = getKeyedStateBackend();
        List<String> cameras;
        try (Stream<Object> keys = backend.getKeys(PENDING_STATE, VoidNamespace.INSTANCE)) {
            cameras = keys.map(String.class::cast).toList();
        }
        long now = System.nanoTime();
        for (String camera : cameras) {
            setCurrentKey(camera);
            for (PendingTriplet pending : pendingState.get()) {
                batch.add(new Pending(pending.triplet(), pending.hasTimestamp(), pending.timestamp(), now));
            }
            storedPendingKeys.add(camera);
        }
        if (!batch.isEmpty()) {
            LOG.info("inference subtask {} restored {} pending triplet(s) from its checkpoint",
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), batch.size());
            armBatchTimer();
        }
    }

    @Override
    public void processElement1(StreamRecord<Triplet> element) throws Exception {
        processElement(element);
    }

    @Override
    public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
        ModelUpdate update = element.getValue();
        if (servedUpdate != null && update.versionNumber() <= servedUpdate.versionNumber()) {
            return;
        }
        if (servedUpdate == null && update.version().equals(modelVersion)) {
            // the announcement of the store version this subtask started on: nothing to load
            servedUpdate = update;
            return;
        }
        // the pending batch was collected under the current weights and runs on them
        flush();
        if (load(update)) {
            swapCounter.inc();
            LOG.info("inference subtask {} now serves model {} (learner step {})",
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), modelVersion, update.step());
        }
    }

    /**
     * Replaces the served model by {@code update}'s weights; false (and the current model kept) when they cannot be
     * loaded.
     */
    private boolean load(ModelUpdate update) {
        DepthModel model;
        try {
            model = ModelStore.load(update.weightsUri(), device);
        } catch (RuntimeException e) {
            refusedCounter.inc();
            LOG.warn("refused model update {}: cannot load {}: {}; still serving {}", update.version(),
                    update.weightsUri(), e.getMessage(), modelVersion);
            return false;
        }
        if (inference != null && !model.config().equals(inference.config())) {
            model.close();
            refusedCounter.inc();
            LOG.warn("refused model update {} at {}: its configuration {} differs from the served one {}; still "
                    + "serving {}", update.version(), update.weightsUri(), model.config(), inference.config(),
                    modelVersion);
            return false;
        }
        TripletInference previous = inference;
        // a fresh TripletInference: poses cached for reuse between consecutive triplets belong to the old weights
        inference = new TripletInference(model);
        modelVersion = update.version();
        servedUpdate = update;
        if (previous != null) {
            previous.close();
        }
        return true;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        for (String camera : storedPendingKeys) {
            setCurrentKey(camera);
            pendingState.clear();
        }
        storedPendingKeys.clear();
        for (Pending pending : batch) {
            setCurrentKey(pending.triplet().cameraId());
            pendingState.add(new PendingTriplet(pending.triplet(), pending.hasTimestamp(), pending.timestamp()));
            storedPendingKeys.add(pending.triplet().cameraId());
        }
        servedState.clear();
        if (servedUpdate != null) {
            servedState.add(new String(servedUpdate.toJson(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        checkpointCompleted = true;
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // model updates carry no event time: only the triplets' watermarks count
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int inputIndex) throws Exception {
        // the triplets' idleness alone decides: the update input is idle nearly always and says nothing about time
        if (inputIndex == 0) {
            processWatermarkStatus(status);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (nothingWaiting()) {
            super.processWatermark(mark);
        } else {
            heldWatermark = mark;
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        // latest-frame: parked triplets run (they are few, and a stale frame gains nothing by waiting); the pending
        // batch goes into the checkpoint (snapshotState)
        flushParked();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flushParked();
        flush();
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            flushParked();
            flush();
        }
    }

    @Override
    public void finish() throws Exception {
        flushParked();
        flush();
        super.finish();
    }

    /** Whether no triplet waits in the batch or parked, so a watermark can pass. */
    private boolean nothingWaiting() {
        return (batch == null || batch.isEmpty()) && (parked == null || parked.isEmpty());
    }

    /** Runs the parked stale triplets (after the pending batch's, in batches of at most batch-size). */
    private void flushParked() throws Exception {
        if (parked == null || parked.isEmpty()) {
            return;
        }
        parkedGeneration++;
        if (parkedTimer != null) {
            parkedTimer.cancel(false);
            parkedTimer = null;
        }
        List<Pending> items = new ArrayList<>(parked.values());
        parked.clear();
        for (Pending pending : items) {
            batch.add(pending);
            if (batch.size() >= settings.batchSize()) {
                flush();
            }
        }
        // they have waited their delay already
        flush();
        releaseHeldWatermark();
    }

    /** Runs the pending batch and emits its results. */
    private void flush() throws Exception {
        if (batch == null || batch.isEmpty()) {
            return;
        }
        batchGeneration++;
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        List<Pending> items = batch;
        batch = new ArrayList<>(settings.batchSize());
        List<Triplet> triplets = new ArrayList<>(items.size());
        for (Pending pending : items) {
            triplets.add(pending.triplet());
        }
        // decoding in the between-batches layout waits while the model runs (no effect when nothing decodes in turns)
        gate.enterModel();
        long start = System.nanoTime();
        List<TripletInference.Output> outputs;
        try {
            outputs = inference.run(triplets);
        } finally {
            gate.exitModel();
        }
        long inferenceNanos = System.nanoTime() - start;
        ModelConfig config = inference.config();
        for (int i = 0; i < items.size(); i++) {
            Pending pending = items.get(i);
            DepthResult result = result(pending, outputs.get(i), config, start - pending.arrivedNanos(), inferenceNanos,
                    items.size());
            output.collect(pending.hasTimestamp()
                    ? new StreamRecord<>(result, pending.timestamp())
                    : new StreamRecord<>(result));
        }
        batchCounter.inc();
        frameCounter.inc(items.size());
        inferenceNanosTotal += inferenceNanos;
        lastInferenceNanos = inferenceNanos;
        if (failAfterBatches > 0 && batchCounter.getCount() >= failAfterBatches && checkpointCompleted) {
            throw new IllegalStateException("injected failure: " + FAIL_AFTER_BATCHES_PARAMETER + " = "
                    + failAfterBatches + " reached on the first attempt of inference subtask "
                    + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        }
        releaseHeldWatermark();
    }

    /** Forwards the held watermark once no triplet waits any more. */
    private void releaseHeldWatermark() throws Exception {
        if (heldWatermark != null && nothingWaiting()) {
            Watermark mark = heldWatermark;
            heldWatermark = null;
            super.processWatermark(mark);
        }
    }

    /** Scales one output (when metric), advances its camera's track and builds the result. */
    private DepthResult result(Pending pending, TripletInference.Output out, ModelConfig config, long queueNanos,
                               long inferenceNanos, int batchSize) throws Exception {
        Triplet triplet = pending.triplet();
        setCurrentKey(triplet.cameraId());
        CameraTrack previous = tracks.value();
        ScaledOutput scaled = ScaledOutput.of(out, config.width(), config.height(), ground, previous);
        CameraTrack track = CameraTrack.follow(previous, triplet.cur().seq(), scaled.trajectoryStep(),
                scaled.acceptedScale());
        tracks.update(track);
        var cur = triplet.cur();
        return new DepthResult(cur.cameraId(), cur.seq(), cur.captureTimeMs(), cur.receivedAtMs(),
                System.currentTimeMillis(), modelVersion, config.width(), config.height(), cur.intrinsics(), scaled.depth(),
                scaled.prevToCur(), scaled.curToNext(), track.worldFromCamera(), scaled.kind(),
                new StageTimings(cur.decodeNanos(), cur.resizeNanos(), queueNanos, inferenceNanos, batchSize));
    }

    @Override
    public void close() throws Exception {
        try {
            if (inference != null) {
                inference.close();
                inference = null;
            }
        } finally {
            super.close();
        }
    }
}
