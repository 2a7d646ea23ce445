package io.depthstream.model.train;

import ai.djl.engine.Engine;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.depthstream.model.net.DepthModel;

/**
 * The forward and backward pass of a training step (networks with batch norm on batch statistics, the objective,
 * backward of its total), shared by {@link TrainingStep} and {@link ParameterGradients} so that the gradients the
 * latter reports are the ones a step applies. DJL allows one open GradientCollector per JVM: callers must not run
 * passes concurrently.
 */
final class BackwardPass {

    /**
     * What a pass produced; the gradients themselves are in the parameters' gradient buffers.
     *
     * @param report the objective's terms, computed in training mode
     * @param backpropagated false when the total was not finite and backward was skipped
     * @param forwardedNanos {@link System#nanoTime()} when the forward pass ended
     */
    record Outcome(LossReport report, boolean backpropagated, long forwardedNanos) {
    }

    private BackwardPass() {}

    /** Forward in training mode and, when the total is finite, backward into the parameters' gradient buffers. */
    static Outcome run(SelfSupervisedObjective objective, DepthModel model, TripletBatch batch) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            ObjectiveResult result = objective.evaluate(model, batch, true);
            LossReport report = LossReport.of(result);
            long forwarded = System.nanoTime();
            if (!Double.isFinite(report.total())) {
                return new Outcome(report, false, forwarded);
            }
            collector.backward(result.total());
            return new Outcome(report, true, forwarded);
        }
    }

    /** Gives a trainable parameter a gradient buffer: loaded weights (a checkpoint, a weights directory) come without. */
    static void requireGradient(Parameter parameter) {
        if (!parameter.getArray().hasGradient()) {
            parameter.getArray().setRequiresGradient(true);
        }
    }

    /** zero_() on each gradient: unlike subtracting it from itself, this also clears NaN and infinity. */
    static void zeroGradients(Iterable<Parameter> parameters) {
        for (Parameter parameter : parameters) {
            JniUtils.zeroGrad((PtNDArray) parameter.getArray());
        }
    }
}
