package io.depthstream.model.train;

/**
 * One triplet term's numbers at one feature scale.
 *
 * @param term the term's name (e.g. "triplet_fsre")
 * @param scale feature scale s (1/2^s of the input)
 * @param loss mean per-anchor loss over the boundary anchors, before the weight and 1/2^s; 0 without anchors (for the
 *     depth-differential term: its L_re(s), the mean over labelled pairs)
 * @param boundaryPixels how many boundary anchors the mean ran over (0: the scale added nothing); for the
 *     depth-differential term, how many labelled (positive or negative) pairs
 */
public record TripletScaleReport(String term, int scale, double loss, long boundaryPixels) {}
