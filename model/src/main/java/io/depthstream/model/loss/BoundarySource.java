package io.depthstream.model.loss;

/** Which labels decide the triplet losses' positives and negatives. */
public enum BoundarySource {
    /** Only semantic class-id maps supplied with the frames; frames without one add no triplet term. */
    SEMANTIC,
    /** Label-free pseudo-classes from the predicted depth and image edges, for every frame. */
    DEPTH,
    /** A frame's semantic map when it has one, the depth-derived pseudo-classes otherwise. */
    SEMANTIC_OR_DEPTH
}
