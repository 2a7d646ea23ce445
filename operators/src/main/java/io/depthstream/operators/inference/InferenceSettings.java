package io.depthstream.operators.inference;

import io.depthstream.model.device.DeviceChoice;

import java.io.Serializable;
import java.util.Objects;

/**
 * Configuration of the inference operator.
 *
 * @param model where the model comes from
 * @param device {@code auto}, {@code cpu} or {@code gpu}; on a cluster the GPU index comes from Flink's {@code gpu}
 *     external resource
 * @param batchSize most triplets (across cameras) per batch, 1 to {@link #MAX_BATCH_SIZE}
 * @param maxBatchDelayMs longest a triplet waits for its batch to fill (processing time); 0 runs every triplet at
 *     once
 * @param cameraHeightM the cameras' height above the road in metres for metric scale, or null for relative scale
 */
public record InferenceSettings(
        ModelSource model, DeviceChoice device, int batchSize, long maxBatchDelayMs, Double cameraHeightM)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default triplets per batch. */
    public static final int DEFAULT_BATCH_SIZE = 4;
    /** Default longest wait for a batch to fill. */
    public static final long DEFAULT_MAX_BATCH_DELAY_MS = 50;
    /** Upper bound on the batch size: beyond it memory, not throughput, grows. */
    public static final int MAX_BATCH_SIZE = 256;

    public InferenceSettings {
        Objects.requireNonNull(model, "model source");
        Objects.requireNonNull(device, "device");
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batch-size must lie in 1.." + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        if (maxBatchDelayMs < 0) {
            throw new IllegalArgumentException("max-batch-delay-ms must not be negative, got " + maxBatchDelayMs);
        }
        if (cameraHeightM != null && (!(cameraHeightM > 0) || cameraHeightM.isInfinite())) {
            throw new IllegalArgumentException("camera-height-m must be a positive number of metres, got " + cameraHeightM);
        }
    }

    /** The defaults for a model: device auto, batches of 4 within 50 ms, relative scale. */
    public static InferenceSettings defaults(ModelSource model) {
        return new InferenceSettings(model, DeviceChoice.AUTO, DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_DELAY_MS, null);
    }

    /** These settings on another device. */
    public InferenceSettings withDevice(DeviceChoice newDevice) {
        return new InferenceSettings(model, newDevice, batchSize, maxBatchDelayMs, cameraHeightM);
    }

    /** These settings with another batching policy. */
    public InferenceSettings withBatching(int newBatchSize, long newMaxBatchDelayMs) {
        return new InferenceSettings(model, device, newBatchSize, newMaxBatchDelayMs, cameraHeightM);
    }

    /** These settings with metric scale from a camera height (metres), or relative scale for null. */
    public InferenceSettings withCameraHeight(Double newCameraHeightM) {
        return new InferenceSettings(model, device, batchSize, maxBatchDelayMs, newCameraHeightM);
    }
}
