package io.depthstream.model.loss;

/**
 * Where the triplet losses' positives and negatives come from: per frame of a batch, class ids at any feature
 * resolution, or nothing for a frame without labels (which then adds no triplet term).
 */
public interface BoundaryLabels {

    /** Frames in the batch. */
    int samples();

    /**
     * The labels of frame {@code sample} at {@code width × height}, or null when that frame has none.
     */
    LabelMap at(int sample, int width, int height);
}
