package io.depthstream.model.data.synth;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.RgbImage;

/**
 * One rendered camera frame with its exact ground truth.
 *
 * @param image the colour image
 * @param depth camera-z depth in metres per pixel; 0 where the ray meets the sky or nothing within
 *              {@link RayCaster#MAX_DEPTH}
 * @param dynamic per pixel, true where a moving car is seen
 */
public record RenderedFrame(RgbImage image, DepthMap depth, boolean[] dynamic) {

    public RenderedFrame {
        if (depth.width() != image.width() || depth.height() != image.height()
                || dynamic.length != image.width() * image.height()) {
            throw new IllegalArgumentException("image, depth and dynamic mask sizes differ");
        }
    }

    /** Number of pixels that show a moving car. */
    public int dynamicPixelCount() {
        int count = 0;
        for (boolean d : dynamic) {
            if (d) {
                count++;
            }
        }
        return count;
    }
}
