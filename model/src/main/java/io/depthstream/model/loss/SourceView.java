package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;

/**
 * One neighbouring frame to warp into the target view.
 *
 * @param image (B,3,H,W) RGB in [0, 1], full resolution
 * @param targetToSource (B,4,4) transform of target-camera points into this frame's camera (for a t−1 source,
 *     monodepth2's inverted pose of the pair [t−1, t])
 */
public record SourceView(NDArray image, NDArray targetToSource) {

    public SourceView {
        if (image == null || targetToSource == null) {
            throw new IllegalArgumentException("a source view needs an image and a transform");
        }
    }
}
