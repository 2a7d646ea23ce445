package io.depthstream.model.loss;

/** Where the depth that labels positives and negatives of the depth-differential triplet loss comes from. */
public enum DepthReference {
    /**
     * Ground-truth depth in metres (MetricDepth's supervised setting): used as given, thresholds and ranges are
     * metric.
     */
    GROUND_TRUTH,
    /**
     * The model's own predicted depth, detached from the graph and divided by its per-image median over valid
     * pixels: a self-supervised model knows depth only up to scale, so thresholds and ranges are relative.
     */
    PREDICTED
}
