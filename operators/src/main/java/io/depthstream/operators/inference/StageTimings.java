package io.depthstream.operators.inference;

/**
 * Where one result's time went, in nanoseconds.
 *
 * @param decodeNanos decoding the frame record's image (from the centre {@code Frame})
 * @param resizeNanos resizing it to network resolution (from the centre {@code Frame})
 * @param queueNanos waiting in the inference operator's batch until the batch ran
 * @param inferenceNanos the whole batch's depth and pose inference (shared by every result of the batch)
 * @param batchSize triplets in that batch
 */
public record StageTimings(long decodeNanos, long resizeNanos, long queueNanos, long inferenceNanos, int batchSize) {}
