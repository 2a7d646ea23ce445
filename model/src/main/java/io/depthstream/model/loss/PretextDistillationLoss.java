package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.depthstream.model.geometry.ScalarConstant;

import java.util.List;

/**
 * TripleDNet's depth-to-grayscale pretext distillation (D2G, Eq. 1): a small pretext head predicts the grayscale
 * image from the predicted disparity, L_d2g = mean sqrt((PL(D(x)) − GS(x))² + ε²), and α·L_d2g joins the training
 * objective, so its gradient shapes the depth network through the disparity. Training only: the head is not part of
 * inference or of saved model weights.
 *
 * <p>The head's parameters are the caller's to initialise (in the model's NDManager, so on its device) and to hand
 * to the optimizer: {@link #trainableParameters()}. Which depth representation feeds the head is unspecified by the
 * paper; this uses the network's sigmoid disparity at full resolution, un-normalised.
 */
public final class PretextDistillationLoss {

    /** The term's name in the training objective. */
    public static final String NAME = "pretext_d2g";

    private final PretextDistillationConfig config;
    private final PretextHead head;

    /**
     * @param head an initialised head with one input and one output channel
     */
    public PretextDistillationLoss(PretextDistillationConfig config, PretextHead head) {
        if (config == null || head == null) {
            throw new IllegalArgumentException("config and head are required");
        }
        if (!head.isInitialized()) {
            throw new IllegalArgumentException("the pretext head must be initialised before use");
        }
        this.config = config;
        this.head = head;
    }

    /** The settings. */
    public PretextDistillationConfig config() {
        return config;
    }

    /** The pretext head. */
    public PretextHead head() {
        return head;
    }

    /** The head's parameters the optimizer must update together with the networks'. */
    public List<Parameter> trainableParameters() {
        return head.trainableParameters();
    }

    /**
     * @param disparity (N, 1, H, W) predicted disparity, in the graph of the depth network
     * @param image (N, 3, H, W) the RGB image in [0, 1] the depth network saw
     * @param training batch-norm of the head in training mode (batch statistics, running averages updated)
     */
    public PretextDistillationResult compute(NDArray disparity, NDArray image, boolean training) {
        if (disparity.getShape().dimension() != 4 || disparity.getShape().get(1) != 1
                || image.getShape().dimension() != 4 || image.getShape().get(1) != 3
                || disparity.getShape().get(0) != image.getShape().get(0)
                || disparity.getShape().get(2) != image.getShape().get(2)
                || disparity.getShape().get(3) != image.getShape().get(3)) {
            throw new IllegalArgumentException("expected disparity (N, 1, H, W) and image (N, 3, H, W) of one size, got "
                    + disparity.getShape() + " and " + image.getShape());
        }
        ParameterStore store = new ParameterStore(disparity.getManager(), false);
        NDArray predicted = head.forward(store, new NDList(disparity), training).singletonOrThrow();
        NDArray target = LabLightness.of(image);
        NDArray difference = predicted.sub(target);
        // adding a number saves nothing for backward; the square saves its own input
        NDArray charbonnier = difference.square().add(config.epsilon() * config.epsilon()).sqrt().mean();
        NDArray weighted = charbonnier.mul(ScalarConstant.of(charbonnier, config.weight()));
        return new PretextDistillationResult(weighted, charbonnier);
    }
}
