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
 */
public record LearnerSettings(String store, ModelSource start, DeviceChoice device, OnlineLearnerConfig learner)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public LearnerSettings {
        if (store == null || store.isBlank()) {
            throw new IllegalArgumentException("fine-tune model-store must name a directory or URI");
        }
        Objects.requireNonNull(start, "start model");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(learner, "learner configuration");
    }
}
