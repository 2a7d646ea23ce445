package io.depthstream.operators.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.triplet.Triplet;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * Runs depth and pose inference on triplets in micro-batches across cameras and emits one {@link DepthResult} per
 * triplet, with each camera's accumulated pose kept in keyed state ({@link CameraTrack}).
 *
 * <p>A batch runs when it holds {@code batch-size} triplets, when its first triplet has waited
 * {@code max-batch-delay-ms} of processing time, before every checkpoint barrier (so no triplet lives only in
 * memory across a checkpoint) and at the end of input. Watermarks that arrive while a batch is pending are held
 * back until it has run, so results never fall behind a watermark already forwarded. The operator runs on a
 * stream keyed by camera id; every camera's triplets arrive in seq order, and a batch is processed in arrival
 * order, so a camera's trajectory grows one frame at a time even inside one batch.
 */
public final class InferenceOperator extends AbstractStreamOperator<DepthResult>
        implements OneInputStreamOperator<Triplet, DepthResult>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceOperator.class);

    /** Operator name and uid in a job graph (the uid keeps the camera tracks across job upgrades). */
    public static final String UID = "inference";

    private final InferenceSettings settings;

    private transient TripletInference inference;
    private transient String modelVersion;
    private transient GroundPlaneScale ground;
    private transient ValueState<CameraTrack> tracks;
    private transient List<Pending> batch;
    private transient ScheduledFuture<?> flushTimer;
    private transient long batchGeneration;
    private transient Watermark heldWatermark;
    private transient Counter batchCounter;
    private transient Counter frameCounter;
    private transient long inferenceNanosTotal;
    private transient long lastInferenceNanos;

    /** A triplet waiting for its batch, with its record timestamp and arrival time. */
    private record Pending(Triplet triplet, boolean hasTimestamp, long timestamp, long arrivedNanos) {}

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

    /** Camera id as the key, the same key the triplet assembler's stream is partitioned by. */
    public static final class CameraKey implements KeySelector<Triplet, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Triplet triplet) {
            return triplet.cameraId();
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        Device device = settings.device().resolve(Engine.getInstance().getGpuCount(), assignedGpuIndex());
        inference = new TripletInference(settings.model().load(device));
        modelVersion = settings.model().version();
        ModelConfig config = inference.config();
        LOG.info("inference subtask {} runs model {} ({} {}x{}) on {}", getRuntimeContext().getTaskInfo()
                .getIndexOfThisSubtask(), modelVersion, config.architecture().configName(), config.width(),
                config.height(), device);
        ground = settings.cameraHeightM() == null ? null : new GroundPlaneScale(settings.cameraHeightM());
        tracks = getRuntimeContext().getState(
                new ValueStateDescriptor<>("camera-track", TypeInformation.of(CameraTrack.class)));
        batch = new ArrayList<>(settings.batchSize());
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
        batch.add(new Pending(element.getValue(), element.hasTimestamp(), element.getTimestamp(), System.nanoTime()));
        if (batch.size() >= settings.batchSize() || settings.maxBatchDelayMs() == 0) {
            flush();
        } else if (batch.size() == 1) {
            long generation = batchGeneration;
            long deadline = getProcessingTimeService().getCurrentProcessingTime() + settings.maxBatchDelayMs();
            flushTimer = getProcessingTimeService().registerTimer(deadline, time -> {
                // a batch that already ran (full, checkpoint) must not flush its successor early
                if (generation == batchGeneration) {
                    flush();
                }
            });
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (batch == null || batch.isEmpty()) {
            super.processWatermark(mark);
        } else {
            heldWatermark = mark;
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
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
        long start = System.nanoTime();
        List<TripletInference.Output> outputs = inference.run(triplets);
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
        if (heldWatermark != null) {
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
