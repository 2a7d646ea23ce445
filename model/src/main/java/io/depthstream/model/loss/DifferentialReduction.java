package io.depthstream.model.loss;

/** How the depth-differential triplet loss reduces its per-pair terms at one feature scale. */
public enum DifferentialReduction {
    /** MetricDepth's Eq. 10/13 as written: the raw sum over sample maps and pixels. */
    SUM,
    /**
     * The sum divided by the number of labelled pairs (positives plus negatives inside a range), so the loss does
     * not grow with resolution, batch size or the number of sample maps.
     */
    LABELLED_MEAN
}
