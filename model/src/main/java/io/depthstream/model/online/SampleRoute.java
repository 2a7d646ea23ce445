package io.depthstream.model.online;

/** Where the learner put an offered triplet. */
public enum SampleRoute {
    /** Into the training buffer. */
    TRAINING,
    /** Into the held-out set, never to be trained on. */
    HELD_OUT,
    /**
     * Nowhere: a neighbour was missing (stream start, gap, idle timeout). A batch must share one neighbour layout,
     * and such triplets are rare, so they are counted and not learnt from.
     */
    INCOMPLETE
}
