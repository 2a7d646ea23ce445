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
 * @param framePolicy every frame inferred (back-pressure when inference is slow), or only each camera's latest once
 *     frames are stale
 * @param maxFrameAgeMs with {@link FramePolicy#LATEST_FRAME}: a triplet whose centre frame was captured longer ago
 *     than this (wall-clock time when it reaches inference) is stale; positive
 */
public record InferenceSettings(
        ModelSource model, DeviceChoice device, int batchSize, long maxBatchDelayMs, Double cameraHeightM,
        FramePolicy framePolicy, long maxFrameAgeMs)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default triplets per batch. */
    public static final int DEFAULT_BATCH_SIZE = 4;
    /** Default longest wait for a batch to fill. */
    public static final long DEFAULT_MAX_BATCH_DELAY_MS = 50;
    /** Upper bound on the batch size: beyond it memory, not throughput, grows. */
    public static final int MAX_BATCH_SIZE = 256;
    /** Default age beyond which a frame counts as stale in {@link FramePolicy#LATEST_FRAME} mode. */
    public static final long DEFAULT_MAX_FRAME_AGE_MS = 1000;

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
        Objects.requireNonNull(framePolicy, "frame policy");
        if (maxFrameAgeMs < 1) {
            throw new IllegalArgumentException("max-frame-age-ms must be at least 1, got " + maxFrameAgeMs);
        }
    }

    /** The defaults for a model: device auto, batches of 4 within 50 ms, relative scale, every frame inferred. */
    public static InferenceSettings defaults(ModelSource model) {
        return new InferenceSettings(model, DeviceChoice.AUTO, DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_DELAY_MS, null,
                FramePolicy.EVERY_FRAME, DEFAULT_MAX_FRAME_AGE_MS);
    }

    /** These settings on another device. */
    public InferenceSettings withDevice(DeviceChoice newDevice) {
        return new InferenceSettings(model, newDevice, batchSize, maxBatchDelayMs, cameraHeightM, framePolicy,
                maxFrameAgeMs);
    }

    /** These settings with another batching policy. */
    public InferenceSettings withBatching(int newBatchSize, long newMaxBatchDelayMs) {
        return new InferenceSettings(model, device, newBatchSize, newMaxBatchDelayMs, cameraHeightM, framePolicy,
                maxFrameAgeMs);
    }

    /** These settings with metric scale from a camera height (metres), or relative scale for null. */
    public InferenceSettings withCameraHeight(Double newCameraHeightM) {
        return new InferenceSettings(model, device, batchSize, maxBatchDelayMs, newCameraHeightM, framePolicy,
                maxFrameAgeMs);
    }

    /** These settings with another frame policy and stale-frame bound. */
    public InferenceSettings withFramePolicy(FramePolicy newFramePolicy, long newMaxFrameAgeMs) {
        return new InferenceSettings(model, device, batchSize, maxBatchDelayMs, cameraHeightM, newFramePolicy,
                newMaxFrameAgeMs);
    }
}
