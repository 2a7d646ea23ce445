package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.depthstream.model.net.DepthModel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * d(total objective)/d(parameter) for every trainable parameter of the depth and pose networks on one batch,
 * computed by the same forward/backward pass as a {@link TrainingStep} (batch norm on batch statistics) but without
 * augmentation, clipping or an optimiser step: the weights stay as they are. Named as monodepth2's checkpoints
 * name them, {@code <file stem>/<key>} ({@code encoder/encoder.conv1.weight}, {@code depth/decoder.9.conv.conv.bias},
 * {@code pose_encoder/…}, {@code pose/net.3.weight}), so they compare directly with PyTorch's {@code param.grad}.
 * Batch-norm running statistics are not trainable and have no entry.
 *
 * <p>Like a training step, the pass updates the batch-norm running statistics, and it holds DJL's one
 * GradientCollector per JVM: it must not run while a training step runs.
 */
public final class ParameterGradients {

    /**
     * One parameter's gradient.
     *
     * @param shape the parameter's shape
     * @param values float32 values in C order
     */
    public record Gradient(long[] shape, float[] values) {
    }

    /**
     * The objective of the pass and its gradients.
     *
     * @param report the loss terms in training mode (what a step without augmentation reports)
     * @param gradients by {@code <file stem>/<key>}, in the order encoder, depth, pose_encoder, pose
     */
    public record Result(LossReport report, Map<String, Gradient> gradients) {
    }

    private ParameterGradients() {}

    /**
     * Runs the pass on {@code samples} (at the model's input size, all with the same neighbours present).
     *
     * @throws IllegalStateException when the objective is not finite (no gradient to report)
     */
    public static Result compute(DepthModel model, SelfSupervisedObjective objective, List<TrainingSample> samples) {
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        model.torchParameters().forEach((name, parameter) -> {
            if (parameter.requiresGradient()) {
                trainable.put(name.replaceFirst("\\.pth/", "/"), parameter);
                BackwardPass.requireGradient(parameter);
            }
        });
        try (NDManager pass = model.manager().newSubManager()) {
            List<Augmentation> none = Collections.nCopies(samples.size(), Augmentation.none());
            TripletBatch batch = new TripletBatch(pass, samples, none, model.config().height(), model.config().width());
            BackwardPass.Outcome outcome = BackwardPass.run(objective, model, batch);
            if (!outcome.backpropagated()) {
                throw new IllegalStateException("the objective is not finite (" + outcome.report().total()
                        + "): there is no gradient to report");
            }
            Map<String, Gradient> gradients = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> entry : trainable.entrySet()) {
                NDArray gradient = entry.getValue().getArray().getGradient();
                // the handle belongs to this pass; the buffer itself stays with the parameter until zeroed below
                gradient.attach(pass);
                gradients.put(entry.getKey(), new Gradient(gradient.getShape().getShape(), gradient.toFloatArray()));
            }
            return new Result(outcome.report(), Collections.unmodifiableMap(gradients));
        } finally {
            BackwardPass.zeroGradients(new ArrayList<>(trainable.values()));
            model.parametersChanged();
        }
    }
}
