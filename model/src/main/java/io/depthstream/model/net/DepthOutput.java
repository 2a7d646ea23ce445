package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.List;

/**
 * What the depth network returns, by name.
 *
 * @param disparities sigmoid disparity per configured scale, ascending, (N, 1, H/2^s, W/2^s)
 * @param features decoder features at scales 1, 2, 3 (index 0 = scale 1), (N, C_s, H/2^s, W/2^s)
 */
public record DepthOutput(List<NDArray> disparities, List<NDArray> features) {

    /** Splits the network's output list; {@code scaleCount} disparities come first. */
    public static DepthOutput of(NDList output, int scaleCount) {
        return new DepthOutput(
                List.copyOf(output.subList(0, scaleCount)), List.copyOf(output.subList(scaleCount, output.size())));
    }

    /** The decoder feature map at scale 1, 2 or 3. */
    public NDArray feature(int scale) {
        if (scale < 1 || scale > features.size()) {
            throw new IllegalArgumentException("decoder features exist at scales 1.." + features.size() + ", not " + scale);
        }
        return features.get(scale - 1);
    }
}
