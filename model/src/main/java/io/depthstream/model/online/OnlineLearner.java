package io.depthstream.model.online;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.SelfSupervisedObjective;
import io.depthstream.model.train.StepResult;
import io.depthstream.model.train.TrainingSample;
import io.depthstream.model.train.TrainingStep;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Self-supervised fine-tuning of a {@link DepthModel} on a stream of triplets, with a regression guard deciding which
 * candidates may replace the serving weights. Publishing is the caller's: an accepted {@link CandidateDecision} means
 * the model's weights, as they are until the next {@link #step()}, are the new serving version.
 *
 * <p>Threads: {@link #offer} and {@link #metrics} may be called from any thread (the stream's), and offering never
 * waits for training. Everything else runs on one training thread. DJL allows one open GradientCollector per JVM,
 * so a JVM runs one learner.
 *
 * <p>Triplets: every {@code heldOutEvery}-th complete triplet offered goes to a bounded held-out ring, the others to a
 * bounded training buffer that drops its oldest when full; each training triplet is trained on once (with
 * {@link OnlineLearnerConfig#replay()} above 1, batches are drawn at random from a memory of recent triplets instead).
 *
 * <p>Weights: the learner keeps two in-memory copies of every parameter of the depth and pose networks (and of the
 * pretext head when that term is on), batch-norm running statistics included:
 * <ul>
 *   <li><b>last good</b>, taken after every applied step. A step whose loss or gradient is not finite is skipped by
 *       {@link TrainingStep} before Adam touches anything, but its training-mode forward pass has already folded the
 *       batch's (non-finite) statistics into the batch-norm running averages; restoring the last good copy undoes
 *       that. Adam's moments are kept: the skipped step never updated them, so they still belong to exactly these
 *       weights.</li>
 *   <li><b>serving</b>, the version last accepted (at first, the weights the learner was built with).</li>
 * </ul>
 *
 * <p>Candidates: {@link #evaluateCandidate()} measures the current weights and the serving weights on the same
 * held-out triplets (photometric + smoothness loss, no augmentation, batch norm on its running statistics, no
 * autograd; the auto-mask's tie-break noise reseeded identically for both). An accepted candidate becomes the serving
 * version. A rejected one is discarded: the weights roll back to the serving version and Adam's moments are cleared.
 * Rolling back bounds the drift to one evaluation interval of steps from a version that passed the guard (continuing
 * could compound a regression that the guard has already seen), and it keeps the learner's state derivable from the
 * published version, which is what the stream's checkpoint records. The moments are cleared because their momentum
 * points along the path that just regressed.
 */
public final class OnlineLearner implements AutoCloseable {

    private final DepthModel model;
    private final OnlineLearnerConfig config;
    private final TrainingStep training;
    private final SelfSupervisedObjective heldOutObjective;
    private final SampleBuffer<PendingTriplet> buffer;
    /** With replay: the triplets batches are drawn from, and the generator of the draws; null without. */
    private final ReplayMemory<PendingTriplet> memory;
    private final Random draws;
    /**
     * With replay: triplet-uses the arrivals so far still allow (each arrival adds {@code replay}, up to
     * {@code bufferCapacity}).
     */
    private long replayCredit;
    private final HeldOutSet heldOut;
    private final ParameterSnapshot lastGood;
    private final ParameterSnapshot serving;
    private final int frameValues;

    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong incomplete = new AtomicLong();
    private final AtomicLong routedHeldOut = new AtomicLong();
    // written by the training thread only, read by metrics() from any thread
    private volatile long trained;
    private volatile long applied;
    private volatile long skipped;
    private volatile double lastLoss = Double.NaN;
    private volatile double servingHeldOutLoss = Double.NaN;
    private volatile double candidateHeldOutLoss = Double.NaN;
    private volatile long published;
    private volatile long rejected;
    private long stepsSinceServing;

    /**
     * A learner that trains {@code model}'s parameters in place; their values now are the serving version.
     * Its weight copies live in sub-managers of the model's manager, on the model's device.
     */
    public OnlineLearner(DepthModel model, OnlineLearnerConfig config) {
        this.model = model;
        this.config = config;
        this.training = new TrainingStep(model, config.trainingConfig());
        ModelConfig modelConfig = model.config();
        LossConfig photometricOnly = LossConfig.of(config.loss().photometric()).withDepthRange(
                modelConfig.depthRange());
        this.heldOutObjective = new SelfSupervisedObjective(photometricOnly, new Random(config.seed()));
        this.buffer = new SampleBuffer<>(config.bufferCapacity());
        this.memory = config.replay() > 1 ? new ReplayMemory<>(config.bufferCapacity()) : null;
        this.draws = new Random(config.seed() ^ 0x5EED_2E91_A7L);
        this.heldOut = new HeldOutSet(config.heldOutCapacity());
        this.frameValues = 3 * modelConfig.height() * modelConfig.width();
        List<Parameter> parameters = new ArrayList<>();
        for (Pair<String, Parameter> pair : model.depthNet().getParameters()) {
            parameters.add(pair.getValue());
        }
        for (Pair<String, Parameter> pair : model.poseNet().getParameters()) {
            parameters.add(pair.getValue());
        }
        if (training.pretextHead() != null) {
            for (Pair<String, Parameter> pair : training.pretextHead().getParameters()) {
                parameters.add(pair.getValue());
            }
        }
        this.lastGood = new ParameterSnapshot(model.manager(), parameters);
        try {
            this.serving = new ParameterSnapshot(model.manager(), parameters);
        } catch (RuntimeException e) {
            lastGood.close();
            throw e;
        }
    }

    /**
     * Routes a triplet: to the held-out set when it is the {@code heldOutEvery}-th complete one, else to the training
     * buffer (dropping its oldest when full). Never blocks.
     *
     * @param sample frames at the model's input size
     * @throws IllegalArgumentException when the frames are not the model's input size
     */
    public SampleRoute offer(TrainingSample sample) {
        return offer(PendingTriplet.of(sample));
    }

    /**
     * {@link #offer(TrainingSample)} for a triplet that is expanded to float frames only when it is held out or
     * trained on (a {@link CompactTriplet} waits in 8-bit form).
     */
    public SampleRoute offer(PendingTriplet triplet) {
        if (triplet.frameValues() != frameValues) {
            throw new IllegalArgumentException("a frame of the sample has " + triplet.frameValues()
                    + " values, the model takes 3x" + model.config().height() + "x" + model.config().width());
        }
        if (!triplet.complete()) {
            incomplete.incrementAndGet();
            return SampleRoute.INCOMPLETE;
        }
        if (offered.incrementAndGet() % config.heldOutEvery() == 0) {
            heldOut.add(triplet.expand());
            routedHeldOut.incrementAndGet();
            return SampleRoute.HELD_OUT;
        }
        buffer.offer(triplet);
        return SampleRoute.TRAINING;
    }

    /**
     * Waits until a step can be taken or {@code timeout} passes; returns whether one can. Without replay a step needs
     * a batch of buffered triplets; with replay, enough triplets in memory and enough credit from arrivals.
     */
    public boolean awaitBatch(Duration timeout) throws InterruptedException {
        if (memory == null) {
            return buffer.awaitSize(config.batchSize(), timeout);
        }
        // memory and credit change on this (the training) thread only: arrivals are what is waited for
        return buffer.awaitSize(arrivalsNeeded(), timeout);
    }

    /** Buffered triplets that, absorbed into the replay memory, would allow a step. */
    private int arrivalsNeeded() {
        int batch = config.batchSize();
        long forMemory = batch - memory.size();
        long forCredit = (batch - replayCredit + config.replay() - 1) / config.replay();
        return (int) Math.max(0, Math.max(forMemory, forCredit));
    }

    /**
     * One training step, or empty (and nothing consumed) when no step can be taken yet. Without replay the batch is
     * the {@code batchSize} oldest buffered triplets; with replay, the buffered triplets move into the replay memory
     * and the batch is drawn from it at random. A non-finite loss or gradient skips the update and restores the last
     * good weights.
     */
    public Optional<StepOutcome> step() {
        List<PendingTriplet> pending = memory == null ? buffer.drainBatch(config.batchSize()) : replayBatch();
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        List<TrainingSample> batch = new ArrayList<>(pending.size());
        for (PendingTriplet triplet : pending) {
            batch.add(triplet.expand());
        }
        StepResult result;
        try {
            result = training.step(batch);
        } catch (RuntimeException e) {
            // a failed forward pass may still have moved the batch-norm running statistics
            restoreLastGood();
            throw e;
        }
        trained += batch.size();
        double loss = result.report().total();
        lastLoss = loss;
        if (result.applied()) {
            lastGood.capture();
            applied++;
            stepsSinceServing++;
        } else {
            restoreLastGood();
            skipped++;
        }
        return Optional.of(new StepOutcome(result.step(), batch.size(), loss, result.applied(), result.report()));
    }

    /** Whether {@code evaluateEvery} steps have been applied since the serving version was set. */
    public boolean candidateDue() {
        return stepsSinceServing >= config.evaluateEvery();
    }

    /**
     * Judges the current weights against the serving version on the current held-out triplets. Accepted: they become
     * the serving version, and the model's weights (until the next step) are what to publish. Rejected: the weights
     * roll back to the serving version and Adam starts afresh.
     *
     * @return the decision, or empty when there is nothing to judge (no step applied since the serving version was
     *     set, or no held-out triplet yet)
     */
    public Optional<CandidateDecision> evaluateCandidate() {
        if (stepsSinceServing == 0) {
            return Optional.empty();
        }
        List<TrainingSample> triplets = heldOut.snapshot();
        if (triplets.isEmpty()) {
            return Optional.empty();
        }
        boolean accepted;
        double candidateLoss;
        double servingLoss;
        try {
            // the weights equal the last good copy here: every applied step captured it, every skipped one restored it
            candidateLoss = measure(triplets);
            serving.restore();
            model.parametersChanged();
            servingLoss = measure(triplets);
            accepted = config.accepts(candidateLoss, servingLoss);
            if (accepted) {
                restoreLastGood();
                serving.capture();
            } else {
                lastGood.capture();
                training.resetOptimizer();
            }
        } catch (RuntimeException e) {
            restoreLastGood();
            throw e;
        }
        stepsSinceServing = 0;
        candidateHeldOutLoss = candidateLoss;
        if (accepted) {
            servingHeldOutLoss = candidateLoss;
            published++;
        } else {
            servingHeldOutLoss = servingLoss;
            rejected++;
        }
        return Optional.of(new CandidateDecision(training.steps(), accepted, candidateLoss, servingLoss,
                config.tolerance(), triplets.size()));
    }

    /**
     * The current weights' mean photometric + smoothness loss on the held-out triplets, measured as the model serves
     * (no augmentation, batch norm on its running statistics, which stay unchanged); NaN when none is held.
     */
    public double heldOutLoss() {
        List<TrainingSample> triplets = heldOut.snapshot();
        return triplets.isEmpty() ? Double.NaN : measure(triplets);
    }

    /**
     * Continues from a learner checkpoint: the parameter values of {@code weights} (a model of the same configuration)
     * replace the current ones and become the last good weights, and the optimizer state in {@code stateDirectory}
     * ({@link TrainingStep#saveState}) replaces Adam's moments, the step count and the learning rate. The serving
     * version stays the weights this learner was built with.
     *
     * @param stepsSinceServing applied steps between the serving version and the checkpoint, for the evaluation
     *     schedule
     * @throws IllegalArgumentException when {@code weights} has another configuration
     */
    public void resume(DepthModel weights, Path stateDirectory, long stepsSinceServing) {
        if (!weights.config().equals(model.config())) {
            throw new IllegalArgumentException("checkpoint weights are " + weights.config() + ", the learner trains "
                    + model.config());
        }
        ParameterSnapshot.copyValues(networkParameters(weights), networkParameters(model));
        model.parametersChanged();
        training.restoreState(stateDirectory);
        lastGood.capture();
        this.stepsSinceServing = Math.max(0, stepsSinceServing);
    }

    private static List<Parameter> networkParameters(DepthModel of) {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> pair : of.depthNet().getParameters()) {
            out.add(pair.getValue());
        }
        for (Pair<String, Parameter> pair : of.poseNet().getParameters()) {
            out.add(pair.getValue());
        }
        return out;
    }

    /** Counters and latest losses; callable from any thread. */
    public OnlineMetrics metrics() {
        return new OnlineMetrics(offered.get(), incomplete.get(), routedHeldOut.get(), buffer.dropped(), trained,
                applied, skipped, lastLoss, servingHeldOutLoss, candidateHeldOutLoss, published, rejected);
    }

    /** The model it trains. */
    public DepthModel model() {
        return model;
    }

    /** Its settings. */
    public OnlineLearnerConfig config() {
        return config;
    }

    /** The training steps (for saving and restoring the optimizer state with a published version). */
    public TrainingStep training() {
        return training;
    }

    /** The held-out triplets. */
    public HeldOutSet heldOut() {
        return heldOut;
    }

    /** Triplets waiting for training. */
    public int buffered() {
        return buffer.size();
    }

    private List<PendingTriplet> replayBatch() {
        for (PendingTriplet arrived : buffer.drainAll()) {
            memory.add(arrived);
            // a learner slower than the stream forgoes the surplus, as the queue drops its oldest without replay:
            // at most a memory's worth of triplet-uses waits
            replayCredit = Math.min(replayCredit + config.replay(), config.bufferCapacity());
        }
        if (memory.size() < config.batchSize() || replayCredit < config.batchSize()) {
            return List.of();
        }
        replayCredit -= config.batchSize();
        return memory.draw(config.batchSize(), draws);
    }

    /** Frees the weight copies; the model stays the caller's. */
    @Override
    public void close() {
        lastGood.close();
        serving.close();
    }

    private void restoreLastGood() {
        lastGood.restore();
        model.parametersChanged();
    }

    /** Batches of at most {@code batchSize}, so held-out evaluation needs no more memory than a training step. */
    private double measure(List<TrainingSample> triplets) {
        // the same noise for every version judged on the same triplets
        heldOutObjective.reseed(config.seed());
        double sum = 0;
        for (int from = 0; from < triplets.size(); from += config.batchSize()) {
            List<TrainingSample> chunk = triplets.subList(from, Math.min(triplets.size(), from + config.batchSize()));
            sum += heldOutObjective.measure(model, chunk).total() * chunk.size();
        }
        return sum / triplets.size();
    }
}
