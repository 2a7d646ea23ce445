package io.depthstream.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.depthstream.model.loss.PretextDistillationLoss;
import io.depthstream.model.loss.PretextHead;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Self-supervised training steps on a {@link DepthModel}: forward (augmented inputs), the objective of its
 * {@link LossConfig} (photometric terms and any enabled triplet and pretext terms),
 * backward, optional global-norm clipping, Adam. DJL allows one open GradientCollector per JVM, so steps of all
 * instances in a JVM must not run concurrently; each step frees every tensor it created.
 *
 * <p>With the pretext term on, the step owns the pretext head: created in the model's NDManager (so on its device and
 * freed with the model), seeded by the training seed, and updated by the same Adam as the networks. It belongs to this
 * run, not to the model: saved weights do not include it.
 */
public final class TrainingStep {

    private final DepthModel model;
    private final TrainingConfig config;
    private final SelfSupervisedObjective objective;
    private final Random augmentationRandom;
    private final MutableRate rate;
    private final Optimizer optimizer;
    private final List<Parameter> parameters = new ArrayList<>();
    private final PretextHead pretextHead;
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
        this.augmentationRandom = new Random(config.seed() ^ 0x5DEECE66DL);
        this.rate = new MutableRate((float) config.learningRate());
        this.optimizer = Adam.builder()
                .optLearningRateTracker(rate)
                .optBeta1((float) config.beta1())
                .optBeta2((float) config.beta2())
                .optEpsilon(1e-8f)
                .build();
        for (Pair<String, Parameter> pair : model.depthNet().getParameters()) {
            addTrainable(pair.getValue());
        }
        for (Pair<String, Parameter> pair : model.poseNet().getParameters()) {
            addTrainable(pair.getValue());
        }
        if (pretext != null) {
            pretext.trainableParameters().forEach(this::addTrainable);
        }
    }

    private void addTrainable(Parameter parameter) {
        if (parameter.requiresGradient()) {
            parameters.add(parameter);
        }
    }

    /** The objective this step optimises (also usable to measure the loss without training). */
    public SelfSupervisedObjective objective() {
        return objective;
    }

    /** The parameters each step updates: the depth and pose networks', then the pretext head's when it is on. */
    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
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
        return rate.value;
    }

    /** Changes the learning rate (e.g. by a {@link StepLrSchedule} at an epoch boundary). */
    public void setLearningRate(double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + value);
        }
        rate.value = (float) value;
    }

    /**
     * One step on a batch of triplets.
     *
     * @param batch samples at the model's input size, all with the same neighbours present
     */
    public StepResult step(List<TrainingSample> batch) {
        try {
            return stepOnce(batch);
        } finally {
            // the forward pass updated batch-norm statistics even when the update itself was skipped
            model.parametersChanged();
        }
    }

    private StepResult stepOnce(List<TrainingSample> batch) {
        List<Augmentation> augmentations = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            augmentations.add(config.augment() ? Augmentation.draw(augmentationRandom) : Augmentation.none());
        }
        ModelConfig modelConfig = model.config();
        try (NDManager step = model.manager().newSubManager()) {
            TripletBatch tensors = new TripletBatch(step, batch, augmentations, modelConfig.height(),
                    modelConfig.width());
            LossReport report;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                ObjectiveResult result = objective.evaluate(model, tensors, true);
                report = LossReport.of(result);
                if (!Double.isFinite(report.total())) {
                    zeroGradients();
                    return new StepResult(++steps, report, rate.value, Double.NaN, false);
                }
                collector.backward(result.total());
            }
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
                return new StepResult(++steps, report, rate.value, norm, false);
            }
            float scale = config.gradientClipNorm() > 0 && norm > config.gradientClipNorm()
                    ? (float) (config.gradientClipNorm() / norm) : 1f;
            for (int i = 0; i < parameters.size(); i++) {
                NDArray gradient = gradients.get(i);
                if (scale != 1f) {
                    gradient.muli(scale);
                }
                optimizer.update(parameters.get(i).getId(), parameters.get(i).getArray(), gradient);
            }
            zeroGradients();
            return new StepResult(++steps, report, rate.value, norm, true);
        }
    }

    /** One read-back for all parameters: accumulating on the device avoids a synchronisation per parameter. */
    private static double globalNorm(List<NDArray> gradients) {
        NDArray sum = null;
        for (NDArray gradient : gradients) {
            NDArray squares = gradient.toType(DataType.FLOAT64, false).square().sum();
            sum = sum == null ? squares : sum.add(squares);
        }
        return sum == null ? 0 : Math.sqrt(sum.getDouble());
    }

    /** zero_() on each gradient: unlike subtracting it from itself, this also clears NaN and infinity. */
    private void zeroGradients() {
        for (Parameter parameter : parameters) {
            JniUtils.zeroGrad((PtNDArray) parameter.getArray());
        }
    }

    /** Adam reads its learning rate from a tracker each update; this one follows {@link #setLearningRate}. */
    private static final class MutableRate implements Tracker {
        private volatile float value;

        MutableRate(float value) {
            this.value = value;
        }

        @Override
        public float getNewValue(int numUpdate) {
            return value;
        }
    }
}
