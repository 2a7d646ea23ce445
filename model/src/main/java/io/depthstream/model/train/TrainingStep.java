package io.depthstream.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.depthstream.model.loss.PretextDistillationLoss;
import io.depthstream.model.loss.PretextHead;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Self-supervised training steps on a {@link DepthModel}: forward (augmented inputs), the objective of its
 * {@link LossConfig} (photometric terms and any enabled triplet and pretext terms),
 * backward, optional global-norm clipping, Adam. DJL allows one open GradientCollector per JVM, so steps of all
 * instances in a JVM must not run concurrently; each step frees every tensor it created.
 *
 * <p>Each step's randomness (augmentation it draws itself, the auto-mask noise, the differential triplet rolls) is a
 * pure function of the training seed and the step's number, and {@link #saveState}/{@link #restoreState} keep
 * everything else a step depends on (Adam's moments, the step count, the learning rate, the pretext head): a run
 * restored after step n takes the steps the uninterrupted run would have taken. Parameters are named by their path
 * in the block tree ({@code depth.}, {@code pose.}, {@code pretext.} + DJL's parameter name), stable across JVMs.
 *
 * <p>With the pretext term on, the step owns the pretext head: created in the model's NDManager (so on its device and
 * freed with the model), seeded by the training seed, and updated by the same Adam as the networks. It belongs to this
 * run, not to the model: saved weights do not include it.
 */
public final class TrainingStep {

    /** Adam's ε, as monodepth2 (torch's default) uses it. */
    public static final double ADAM_EPSILON = 1e-8;
    /** Keys of the per-step random streams in {@link DerivedSeed}. */
    private static final long AUGMENTATION_STREAM = 0x41;
    private static final long NOISE_STREAM = 0x4E;

    private final DepthModel model;
    private final TrainingConfig config;
    private final SelfSupervisedObjective objective;
    /** The objective of the auto-mask warm-up's steps; null without a warm-up. */
    private final SelfSupervisedObjective warmupObjective;
    private final AdamOptimizer optimizer;
    private final Map<String, Parameter> trainable = new LinkedHashMap<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private final Map<String, Parameter> headState = new LinkedHashMap<>();
    private final PretextHead pretextHead;
    private volatile double learningRate;
    private long steps;

    /** Steps that update {@code model}'s parameters in place. */
    public TrainingStep(DepthModel model, TrainingConfig config) {
        this.model = model;
        this.config = config;
        ModelConfig modelConfig = model.config();
        LossConfig lossConfig = config.loss().withDepthRange(modelConfig.depthRange());
        PretextDistillationLoss pretext = null;
        if (lossConfig.pretext() != null) {
            this.pretextHead = PretextHead.builder().build();
            // the head's initial weights follow the training seed like the rest of the run
            Engine.getInstance().setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
            pretextHead.initialize(model.manager(), DataType.FLOAT32,
                    new Shape(1, 1, modelConfig.height(), modelConfig.width()));
            pretext = new PretextDistillationLoss(lossConfig.pretext(), pretextHead);
        } else {
            this.pretextHead = null;
        }
        this.objective = new SelfSupervisedObjective(lossConfig, new Random(config.seed()), pretext);
        this.warmupObjective = config.autoMaskWarmupSteps() > 0 && lossConfig.photometric().autoMask()
                ? new SelfSupervisedObjective(lossConfig.withPhotometric(lossConfig.photometric().withAutoMask(false)),
                        new Random(config.seed()), pretext)
                : null;
        this.learningRate = config.learningRate();
        this.optimizer = new AdamOptimizer(model.manager(), config.beta1(), config.beta2(), ADAM_EPSILON);
        for (Pair<String, Parameter> pair : model.depthNet().getParameters()) {
            addTrainable("depth." + pair.getKey(), pair.getValue());
        }
        for (Pair<String, Parameter> pair : model.poseNet().getParameters()) {
            addTrainable("pose." + pair.getKey(), pair.getValue());
        }
        if (pretextHead != null) {
            pretextHead.parametersByName().forEach((name, parameter) -> {
                headState.put("pretext." + name, parameter);
                addTrainable("pretext." + name, parameter);
            });
        }
    }

    private void addTrainable(String name, Parameter parameter) {
        if (parameter.requiresGradient()) {
            if (trainable.put(name, parameter) != null) {
                throw new IllegalStateException("two trainable parameters are named " + name);
            }
            parameters.add(parameter);
            BackwardPass.requireGradient(parameter);
        }
    }

    /**
     * The objective this step optimises once any auto-mask warm-up is over (also usable to measure the loss without
     * training).
     */
    public SelfSupervisedObjective objective() {
        return objective;
    }

    /** The parameters each step updates: the depth and pose networks', then the pretext head's when it is on. */
    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    /** The parameters each step updates under their stable names, in {@link #parameters()}'s order. */
    public Map<String, Parameter> namedParameters() {
        return Collections.unmodifiableMap(trainable);
    }

    /** The settings it was built with. */
    public TrainingConfig config() {
        return config;
    }

    /** The pretext head this run trains, or null when the pretext term is off. */
    public PretextHead pretextHead() {
        return pretextHead;
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /** The learning rate of the next steps. */
    public double learningRate() {
        return learningRate;
    }

    /** Changes the learning rate (e.g. by a {@link StepLrSchedule} at an epoch boundary). */
    public void setLearningRate(double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + value);
        }
        learningRate = value;
    }

    /**
     * Forgets Adam's moment estimates and per-parameter step counts, freeing them: the next update starts Adam
     * afresh (its first step has the full learning rate in every coordinate). For weights rolled back to an earlier
     * version, whose trajectory the moments no longer describe. The step count and learning rate stay.
     */
    public void resetOptimizer() {
        optimizer.clear();
    }

    /**
     * One step on a batch of triplets, augmented (when the configuration says so) by draws that depend only on the
     * training seed and this step's number.
     *
     * @param batch samples at the model's input size, all with the same neighbours present
     */
    public StepResult step(List<TrainingSample> batch) {
        List<Augmentation> augmentations = new ArrayList<>(batch.size());
        Random random = new Random(DerivedSeed.of(config.seed(), AUGMENTATION_STREAM, steps));
        for (int i = 0; i < batch.size(); i++) {
            augmentations.add(config.augment() ? Augmentation.draw(random) : Augmentation.none());
        }
        return step(batch, augmentations);
    }

    /**
     * One step on a batch of triplets with augmentations the caller drew (e.g. per sample from its position in the
     * data, so they do not depend on how samples were grouped into batches); the configuration's {@code augment}
     * flag is not consulted.
     *
     * @param augmentations one per sample, in the batch's order
     */
    public StepResult step(List<TrainingSample> batch, List<Augmentation> augmentations) {
        if (augmentations.size() != batch.size()) {
            throw new IllegalArgumentException(batch.size() + " samples but " + augmentations.size()
                    + " augmentations");
        }
        SelfSupervisedObjective active = warmingUp() ? warmupObjective : objective;
        active.reseed(DerivedSeed.of(config.seed(), NOISE_STREAM, steps));
        try {
            return stepOnce(active, batch, augmentations);
        } finally {
            // the forward pass updated batch-norm statistics even when the update itself was skipped
            model.parametersChanged();
        }
    }

    /**
     * Writes what the next steps depend on besides the model's weights into {@code directory} (created if
     * needed): Adam's state per parameter, the step count, the learning rate and the pretext head's parameters.
     */
    public void saveState(Path directory) {
        TrainingStateFiles.write(directory, new TrainingStateFiles.State(steps, learningRate, optimizer,
                trainable, headState));
    }

    /**
     * Replaces this step's state with the one {@link #saveState} wrote (the model's weights are restored
     * separately, e.g. by loading them). Nothing changes when the state does not fit.
     *
     * @throws InvalidCheckpointException naming the file when a file is missing or corrupt, or when its parameter
     *     names or shapes do not match this model and loss
     */
    public void restoreState(Path directory) {
        TrainingStateFiles.Restored restored = TrainingStateFiles.read(directory, model.manager(), trainable,
                headState);
        try {
            optimizer.clear();
            restored.moments().forEach((name, moments) ->
                    optimizer.restore(name, trainable.get(name).getArray(), moments));
            restored.head().forEach((name, values) -> values.copyTo(headState.get(name).getArray()));
            steps = restored.steps();
            learningRate = restored.learningRate();
        } finally {
            restored.close();
            model.parametersChanged();
        }
    }

    /** Whether the next step trains without the auto-mask (the configuration's warm-up is not over yet). */
    public boolean warmingUp() {
        return warmupObjective != null && steps < config.autoMaskWarmupSteps();
    }

    private StepResult stepOnce(SelfSupervisedObjective objective, List<TrainingSample> batch,
                                List<Augmentation> augmentations) {
        ModelConfig modelConfig = model.config();
        try (NDManager step = model.manager().newSubManager()) {
            long start = System.nanoTime();
            TripletBatch tensors = new TripletBatch(step, batch, augmentations, modelConfig.height(),
                    modelConfig.width());
            long batched = System.nanoTime();
            BackwardPass.Outcome pass = BackwardPass.run(objective, model, tensors);
            LossReport report = pass.report();
            long forwarded = pass.forwardedNanos();
            if (!pass.backpropagated()) {
                zeroGradients();
                return new StepResult(++steps, report, learningRate, Double.NaN, false,
                        phases(start, batched, forwarded, forwarded, forwarded));
            }
            long backwarded = System.nanoTime();
            // gradient handles (and what is computed from them) belong to this step, not to the model
            List<NDArray> gradients = new ArrayList<>(parameters.size());
            for (Parameter parameter : parameters) {
                NDArray gradient = parameter.getArray().getGradient();
                gradient.attach(step);
                gradients.add(gradient);
            }
            double norm = globalNorm(gradients);
            if (!Double.isFinite(norm)) {
                zeroGradients();
                return new StepResult(++steps, report, learningRate, norm, false,
                        phases(start, batched, forwarded, backwarded, backwarded));
            }
            float scale = config.gradientClipNorm() > 0 && norm > config.gradientClipNorm()
                    ? (float) (config.gradientClipNorm() / norm) : 1f;
            double rate = learningRate;
            int i = 0;
            for (Map.Entry<String, Parameter> entry : trainable.entrySet()) {
                NDArray gradient = gradients.get(i++);
                if (scale != 1f) {
                    gradient.muli(scale);
                }
                optimizer.update(entry.getKey(), entry.getValue().getArray(), gradient, rate);
            }
            zeroGradients();
            return new StepResult(++steps, report, learningRate, norm, true,
                    phases(start, batched, forwarded, backwarded, System.nanoTime()));
        }
    }

    private static StepPhases phases(long start, long batched, long forwarded, long backwarded, long updated) {
        return new StepPhases((batched - start) / 1e9, (forwarded - batched) / 1e9, (backwarded - forwarded) / 1e9,
                (updated - backwarded) / 1e9);
    }

    /**
     * One read-back for all parameters: accumulating on the device avoids a synchronisation per parameter. Each
     * parameter's norm is one native call in its own precision, as {@code torch.nn.utils.clip_grad_norm_} computes
     * it; the norm of those norms is taken in double precision.
     */
    private static double globalNorm(List<NDArray> gradients) {
        if (gradients.isEmpty()) {
            return 0;
        }
        NDList norms = new NDList(gradients.size());
        for (NDArray gradient : gradients) {
            norms.add(gradient.norm());
        }
        return NDArrays.stack(norms).toType(DataType.FLOAT64, false).norm().getDouble();
    }

    private void zeroGradients() {
        BackwardPass.zeroGradients(parameters);
    }
}
