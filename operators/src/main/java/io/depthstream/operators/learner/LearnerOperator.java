package io.depthstream.operators.learner;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.online.CandidateDecision;
import io.depthstream.model.online.CompactTriplet;
import io.depthstream.model.online.OnlineLearner;
import io.depthstream.model.online.OnlineMetrics;
import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.inference.ModelSource;
import io.depthstream.operators.triplet.Triplet;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToDoubleFunction;

/**
 * Online self-supervised fine-tuning in the stream (parallelism 1): takes the triplets the assembler samples, trains
 * on a thread of its own, and publishes each candidate the regression guard accepts to the {@link ModelStore},
 * emitting its {@link ModelUpdate} for the {@code model-updates} topic.
 *
 * <p>Never back-pressures inference: a triplet is handed, still in 8-bit form, to the {@link OnlineLearner}'s bounded buffer,
 * which drops its oldest when training falls behind (counted). Training, evaluation and publication run on the
 * training thread; updates are emitted from the task thread (a 100 ms processing-time poll, and before every
 * checkpoint barrier). A failure on the training thread fails the task, so Flink restarts it from its checkpoint.
 *
 * <p>Sharing the device: the training thread runs on {@code threads} PyTorch threads of its own (OpenMP's count is
 * per calling thread) and trains at most {@code maxShare} of the wall-clock time, idling after each step in
 * proportion, so inference keeps the rest.
 *
 * <p>Start: a restored learner continues from its checkpoint (the weights and Adam state written into the store at
 * that checkpoint, the step count, the serving version). Otherwise it continues from the store's newest version; an
 * empty store first receives the start model as {@code v0}. Either way the serving version is announced again, so
 * inference subtasks that started from another source converge on it.
 *
 * <p>Checkpoint: when no step is in flight, the current weights and optimizer state are written to the store's
 * {@code checkpoints/} (when a step was taken since the last save); a checkpoint never waits for a step in flight,
 * it takes the newest state already saved and asks the training thread to save after its step. The operator state
 * records that state's step, serving version and directory. A version published after the checkpoint and lost with a failure is
 * never announced; the restored learner publishes under the next free number, so no number is published twice.
 *
 * <p>End of input (a bounded replay): training continues on what is buffered, whole batches only, then the candidate
 * is judged one last time, so a bounded run's versions do not depend on thread timing.
 */
public final class LearnerOperator extends AbstractStreamOperator<ModelUpdate>
        implements OneInputStreamOperator<Triplet, ModelUpdate>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LearnerOperator.class);

    /** Operator name and uid in a job graph. */
    public static final String UID = "learner";
    /** Learner checkpoints kept in the store besides the one the latest Flink checkpoint names. */
    static final int CHECKPOINTS_KEPT = 3;
    private static final long POLL_MS = 100;
    private static final ObjectMapper STATUS_JSON = new ObjectMapper();

    private final LearnerSettings settings;

    private transient ListState<String> checkpointState;
    private transient LearnerCheckpoint restored;
    private transient ModelStore store;
    private transient DepthModel model;
    private transient OnlineLearner learner;
    private transient ReentrantLock lock;
    /** Set by a checkpoint that found a step in flight: the training thread saves its state after that step. */
    private transient volatile boolean saveRequested;
    /** The newest saved learner state: the serving version and step it belongs to, and its URI. */
    private transient volatile LearnerCheckpoint saved;
    private transient Thread trainer;
    private transient volatile boolean running;
    private transient volatile Throwable failure;
    private transient Queue<ModelUpdate> announcements;
    private transient volatile ModelUpdate servingUpdate;

    /** A learner with these settings; the model is loaded in {@link #open()}. */
    public LearnerOperator(LearnerSettings settings) {
        this.settings = settings;
    }

    /** Adds the learner (parallelism 1) to a stream of sampled triplets; its output are the model updates. */
    public static SingleOutputStreamOperator<ModelUpdate> apply(DataStream<Triplet> sampled, LearnerSettings settings) {
        return sampled
                .transform(UID, TypeInformation.of(ModelUpdate.class), new LearnerOperator(settings))
                .uid(UID)
                .setParallelism(1)
                .setMaxParallelism(1);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("learner-checkpoint", Types.STRING));
        if (context.isRestored()) {
            for (String json : checkpointState.get()) {
                restored = LearnerCheckpoint.fromJson(json);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        lock = new ReentrantLock();
        announcements = new ConcurrentLinkedQueue<>();
        store = new ModelStore(settings.store());
        Device device = settings.device().resolve(Engine.getInstance().getGpuCount(), 0);
        PublishedVersion serving = startingVersion(device);
        servingUpdate = ModelUpdate.of(serving);
        model = store.load(serving.number(), device);
        learner = new OnlineLearner(model, settings.learner());
        saved = new LearnerCheckpoint(0, serving.number(), null);
        if (restored != null && restored.stateUri() != null) {
            resume(restored, device);
            saved = restored;
        }
        announcements.add(servingUpdate);
        registerMetrics(getMetricGroup());
        running = true;
        trainer = new Thread(this::train, "depthstream-learner");
        trainer.setDaemon(true);
        trainer.start();
        schedulePoll();
        LOG.info("learner serves {} from {}, step {}, on {}", servingUpdate.version(), store,
                learner.training().steps(), device);
    }

    /** The version to continue from: the checkpoint's, else the store's newest, else the start model as v0. */
    private PublishedVersion startingVersion(Device device) {
        if (restored != null) {
            return store.version(restored.servingVersion()).orElseThrow(() -> new ModelStoreException(
                    "the learner's checkpoint names version v" + restored.servingVersion() + ", which model store "
                            + store + " does not hold"));
        }
        return servingVersion(store, settings.start(), device);
    }

    /**
     * The store's newest version; when the store is empty, {@code start} published as {@code v0} first. The job
     * calls it before it starts, so that inference serves the same version the learner starts from.
     */
    public static PublishedVersion servingVersion(ModelStore store, ModelSource start, Device device) {
        return store.latest().orElseGet(() -> {
            try (DepthModel model = start.load(device)) {
                PublishedVersion v0 = store.publish(model, VersionMetrics.of(0, Double.NaN, Double.NaN, Instant.now()));
                LOG.info("model store {} was empty: published the start model {} as {}", store, start.version(),
                        v0.name());
                return v0;
            }
        });
    }

    /** Continues from a learner checkpoint: its weights over the serving version's, Adam's state and step count. */
    private void resume(LearnerCheckpoint checkpoint, Device device) {
        Path local = ModelStore.fetchCheckpoint(checkpoint.stateUri());
        long servingStep = store.version(checkpoint.servingVersion()).map(v -> v.metrics().step()).orElse(0L);
        try (DepthModel weights = ModelWeights.load(local, device)) {
            learner.resume(weights, local, checkpoint.step() - servingStep);
        } finally {
            ModelStore.deleteLocal(local);
        }
    }

    private void registerMetrics(MetricGroup group) {
        gauge(group, "learnerSteps", m -> m.steps());
        gauge(group, "learnerLoss", OnlineMetrics::lastLoss);
        gauge(group, "heldOutLoss", OnlineMetrics::servingHeldOutLoss);
        gauge(group, "publishedVersions", m -> m.published());
        gauge(group, "rejectedCandidates", m -> m.rejected());
        gauge(group, "droppedTriplets", m -> m.dropped());
        gauge(group, "skippedSteps", m -> m.skipped());
        gauge(group, "sampledTriplets", m -> m.offered());
        gauge(group, "heldOutTriplets", m -> m.heldOut());
    }

    private void gauge(MetricGroup group, String name, ToDoubleFunction<OnlineMetrics> value) {
        group.<Double, Gauge<Double>>gauge(name, () -> value.applyAsDouble(learner.metrics()));
    }

    private void schedulePoll() {
        long due = getProcessingTimeService().getCurrentProcessingTime() + POLL_MS;
        getProcessingTimeService().registerTimer(due, time -> {
            announce();
            if (running) {
                schedulePoll();
            }
        });
    }

    /** Emits the queued updates (task thread); rethrows a training failure so the task fails and restarts. */
    private void announce() {
        ModelUpdate update;
        while ((update = announcements.poll()) != null) {
            output.collect(new StreamRecord<>(update, update.created().toEpochMilli()));
        }
        Throwable failed = failure;
        if (failed != null) {
            throw new IllegalStateException("the learner's training thread failed: " + failed.getMessage(), failed);
        }
    }

    @Override
    public void processElement(StreamRecord<Triplet> element) {
        // the learner counts and skips a triplet without both neighbours
        learner.offer(compact(element.getValue()));
    }

    /** A triplet at network size as the learner keeps it: 8-bit frames, expanded when it is trained on. */
    static CompactTriplet compact(Triplet triplet) {
        Frame cur = triplet.cur();
        return new CompactTriplet(triplet.prev() == null ? null : triplet.prev().image(), cur.image(),
                triplet.next() == null ? null : triplet.next().image(), cur.intrinsics(), cur.semantic());
    }

    /**
     * The training thread: a step whenever a batch is buffered, a judgement whenever one is due, then an idle pause
     * that keeps training within {@code maxShare} of the time.
     */
    private void train() {
        try {
            if (settings.threads() > 0) {
                // OpenMP's thread count is a per-thread setting: this limits the learner, inference keeps its own
                JniUtils.setNumThreads(settings.threads());
            }
            while (running) {
                if (!learner.awaitBatch(Duration.ofMillis(POLL_MS))) {
                    continue;
                }
                long busyNanos;
                lock.lock();
                try {
                    if (!running) {
                        return;
                    }
                    long start = System.nanoTime();
                    learner.step();
                    if (learner.candidateDue()) {
                        judge();
                    }
                    if (saveRequested) {
                        saveRequested = false;
                        saveCurrent("after-step");
                    }
                    busyNanos = System.nanoTime() - start;
                } finally {
                    lock.unlock();
                }
                idle(busyNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.error("the learner's training thread failed", t);
            failure = t;
        }
    }

    /** Waits so that {@code busyNanos} of training is at most {@code maxShare} of the time; returns when stopped. */
    private void idle(long busyNanos) throws InterruptedException {
        double share = settings.maxShare();
        if (share >= 1) {
            return;
        }
        long until = System.nanoTime() + (long) (busyNanos * (1 - share) / share);
        while (running) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.min(POLL_MS, Math.max(1, left / 1_000_000)));
        }
    }

    /** Judges the current weights; publishes and queues the announcement of an accepted candidate. */
    private void judge() {
        learner.evaluateCandidate().ifPresent(decision -> {
            if (decision.accepted()) {
                publish(decision);
            } else {
                LOG.info("learner step {}: candidate rejected, held-out loss {} against {} of {} (tolerance {})",
                        decision.step(), decision.candidateLoss(), decision.servingLoss(), servingUpdate.version(),
                        decision.tolerance());
            }
        });
    }

    private void publish(CandidateDecision decision) {
        OnlineMetrics metrics = learner.metrics();
        VersionMetrics versionMetrics = new VersionMetrics(decision.step(), decision.candidateLoss(),
                metrics.lastLoss(), Instant.now(), servingUpdate.versionNumber(),
                null, Map.of("serving_held_out_loss", decision.servingLoss(),
                        "held_out_triplets", (double) decision.heldOutSamples()));
        PublishedVersion version = store.publish(model, versionMetrics);
        servingUpdate = ModelUpdate.of(version);
        announcements.add(servingUpdate);
        LOG.info("learner step {}: published {} (held-out loss {} against {})", decision.step(), version.name(),
                decision.candidateLoss(), decision.servingLoss());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        // announcements queued so far go out before the barrier, in the checkpoint's epoch
        announce();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    /**
     * Records the learner's newest saved state. When no step is in flight the current weights and optimizer state are
     * saved first (if a step was taken since the last save); when one is, the checkpoint does not wait for it (a
     * step can take seconds, and the task thread serves the assembler and inference): it records the newest state
     * already saved, and the training thread saves its state right after the step, for the next checkpoint. Either
     * way the recorded directory is complete before this checkpoint does.
     */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (lock.tryLock()) {
            try {
                saveCurrent("checkpoint-" + context.getCheckpointId());
            } finally {
                lock.unlock();
            }
        } else {
            saveRequested = true;
        }
        checkpointState.update(List.of(saved.toJson()));
        writeStatus();
    }

    /** Saves the current weights and optimizer state when a step was taken since the last save (lock held). */
    private void saveCurrent(String label) throws IOException {
        long step = learner.training().steps();
        if (step > 0 && step != saved.step()) {
            String stateUri = saveState(step, label);
            saved = new LearnerCheckpoint(step, servingUpdate.versionNumber(), stateUri);
            store.pruneCheckpoints(CHECKPOINTS_KEPT, stateUri);
        }
    }

    /** The counters as {@value ModelStore#LEARNER_STATUS} in the store, for people and reports. */
    private void writeStatus() {
        OnlineMetrics m = learner.metrics();
        ObjectNode json = STATUS_JSON.createObjectNode();
        json.put("step", learner.training().steps());
        json.put("applied_steps", m.steps());
        json.put("skipped_steps", m.skipped());
        json.put("trained_triplets", m.trained());
        json.put("held_out_triplets", m.heldOut());
        json.put("dropped_triplets", m.dropped());
        json.put("published", m.published());
        json.put("rejected", m.rejected());
        json.put("serving_version", servingUpdate.version());
        if (Double.isFinite(m.servingHeldOutLoss())) {
            json.put("serving_held_out_loss", m.servingHeldOutLoss());
        }
        json.put("updated", Instant.now().toString());
        store.writeLearnerStatus(json.toString());
    }

    /** Writes the current weights and optimizer state to the store; returns the directory's URI. */
    private String saveState(long step, String label) throws IOException {
        Path local = Files.createTempDirectory("depthstream-learner-");
        try {
            ModelWeights.save(model, local, Map.of("step", step));
            learner.training().saveState(local);
            return store.saveCheckpoint("step-" + step + "-" + label, local);
        } finally {
            ModelStore.deleteLocal(local);
        }
    }

    @Override
    public void endInput() throws Exception {
        stopTrainer();
        lock.lock();
        try {
            while (learner.step().isPresent()) {
                if (learner.candidateDue()) {
                    judge();
                }
            }
            judge();
            writeStatus();
        } finally {
            lock.unlock();
        }
        announce();
    }

    private void stopTrainer() throws InterruptedException {
        running = false;
        Thread thread = trainer;
        if (thread != null) {
            // a step in flight finishes (the lock), then the loop ends within one poll
            thread.join();
            trainer = null;
        }
        Throwable failed = failure;
        if (failed != null) {
            throw new IllegalStateException("the learner's training thread failed: " + failed.getMessage(), failed);
        }
    }

    /** The learner's counters and losses (for tests and the demo's summary). */
    public OnlineMetrics metrics() {
        return learner.metrics();
    }

    /** The newest saved learner state, the one the last checkpoint recorded (or the next will). */
    public LearnerCheckpoint savedState() {
        return saved;
    }

    /** Training steps taken, restored ones included. */
    public long trainingSteps() {
        return learner.training().steps();
    }

    @Override
    public void close() throws Exception {
        try {
            running = false;
            Thread thread = trainer;
            if (thread != null) {
                thread.join();
            }
            if (learner != null) {
                learner.close();
            }
            if (model != null) {
                model.close();
            }
        } finally {
            super.close();
        }
    }
}
