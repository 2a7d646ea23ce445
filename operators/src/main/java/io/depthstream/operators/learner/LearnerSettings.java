package io.depthstream.operators.learner;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.online.OnlineLearnerConfig;
import io.depthstream.operators.inference.ModelSource;

import java.io.Serializable;
import java.util.Objects;

/**
 * Configuration of the learner operator.
 *
 * @param store the model store's location (a Flink file system URI or a local path)
 * @param start the model published as {@code v0} when the store is empty; otherwise the store's newest version is
 *     where fine-tuning continues
 * @param device where training runs ({@code auto} takes a GPU when there is one)
 * @param learner buffer, held-out set, learning rate, regression guard and loss
 * @param maxShare the largest fraction of wall-clock time spent training, in (0, 1]: after a step of t seconds the
 *     learner idles t·(1 − share)/share, so inference keeps the device the rest of the time
 * @param threads PyTorch intra-op threads of the training thread, or 0 for the engine's default
 */
public record LearnerSettings(String store, ModelSource start, DeviceChoice device, OnlineLearnerConfig learner,
                              double maxShare, int threads) implements Serializable {

    private static final long serialVersionUID = 1L;

    public LearnerSettings {
        if (store == null || store.isBlank()) {
            throw new IllegalArgumentException("fine-tune model-store must name a directory or URI");
        }
        Objects.requireNonNull(start, "start model");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(learner, "learner configuration");
        if (!(maxShare > 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("fine-tune max-share must be in (0, 1], got " + maxShare);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("fine-tune threads must be 0 (engine default) or more, got " + threads);
        }
    }

    /** Training all the time on the engine's threads. */
    public LearnerSettings(String store, ModelSource start, DeviceChoice device, OnlineLearnerConfig learner) {
        this(store, start, device, learner, 1.0, 0);
    }
}
