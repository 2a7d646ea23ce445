package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;

/**
 * One feature scale's part of a patch triplet loss.
 *
 * @param scale s: the feature map is at 1/2^s of the input
 * @param loss scalar mean of the per-anchor loss over the boundary anchors, before the weight and the 1/2^s factor;
 *     0 when the scale has no boundary anchor
 * @param boundaryPixels scalar number of boundary anchors the mean ran over
 */
public record TripletScaleTerm(int scale, NDArray loss, NDArray boundaryPixels) {}
