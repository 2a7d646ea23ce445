package io.depthstream.model.net;

import io.depthstream.model.geometry.DisparityToDepth;

import java.util.List;

/**
 * What defines a depth-and-pose model: encoder architecture, network input size, depth range and output scales.
 *
 * @param architecture encoder layout (the depth and the pose encoder use the same)
 * @param height network input height in pixels, a multiple of 32, at least 64
 * @param width network input width in pixels, a multiple of 32, at least 64
 * @param minDepth depth of disparity 1 (monodepth2: 0.1)
 * @param maxDepth depth of disparity 0 (monodepth2: 100)
 * @param scales disparity scales produced, each s giving H/2^s × W/2^s (monodepth2: 0, 1, 2, 3)
 */
public record ModelConfig(
        Architecture architecture, int height, int width, double minDepth, double maxDepth, List<Integer> scales) {

    public ModelConfig {
        // the deepest feature map (1/32) must be at least 2 pixels for the decoder's reflection padding
        if (height < 64 || width < 64 || height % 32 != 0 || width % 32 != 0) {
            throw new IllegalArgumentException(
                    "network input " + width + "x" + height + " must be multiples of 32, at least 64 (e.g. 640x192)");
        }
        if (!(minDepth > 0 && maxDepth > minDepth)) {
            throw new IllegalArgumentException("need 0 < min depth < max depth, got " + minDepth + ", " + maxDepth);
        }
        scales = List.copyOf(scales);
        if (scales.isEmpty() || !scales.contains(0)) {
            throw new IllegalArgumentException("scales must include 0, got " + scales);
        }
        for (int scale : scales) {
            if (scale < 0 || scale > 3) {
                throw new IllegalArgumentException("scales must lie in 0..3, got " + scales);
            }
        }
    }

    /** Monodepth2's defaults for an architecture: 640×192, depth 0.1–100, scales 0–3. */
    public static ModelConfig monodepth2(Architecture architecture) {
        return new ModelConfig(architecture, 192, 640, 0.1, 100.0, List.of(0, 1, 2, 3));
    }

    /** The sigmoid-to-depth mapping of this model's depth range. */
    public DisparityToDepth depthRange() {
        return new DisparityToDepth(minDepth, maxDepth);
    }

    /** This configuration at another input size. */
    public ModelConfig withSize(int newHeight, int newWidth) {
        return new ModelConfig(architecture, newHeight, newWidth, minDepth, maxDepth, scales);
    }
}
