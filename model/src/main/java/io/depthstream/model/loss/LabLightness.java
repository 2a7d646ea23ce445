package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * The grayscale target GS(x) of TripleDNet's pretext tasks: the L channel of CIE Lab (D65 white) from sRGB, divided
 * by 100 so that it spans [0, 1] like the images.
 */
public final class LabLightness {

    private static final double DELTA_CUBED = Math.pow(6.0 / 29, 3);

    private LabLightness() {
    }

    /**
     * @param rgb (N, 3, H, W) sRGB in [0, 1]; treated as a constant (no gradient flows into it)
     * @return (N, 1, H, W) lightness L divided by 100
     */
    public static NDArray of(NDArray rgb) {
        NDArray c = rgb.stopGradient();
        // sRGB transfer function inverted: linear segment below 0.04045, power 2.4 above
        NDArray linear = NDArrays.where(c.lte(0.04045), c.div(12.92), c.add(0.055).div(1.055).pow(2.4));
        NDArray y = linear.get(":, 0:1").mul(0.2126729)
                .add(linear.get(":, 1:2").mul(0.7151522))
                .add(linear.get(":, 2:3").mul(0.0721750));
        NDArray f = NDArrays.where(y.gt(DELTA_CUBED), y.pow(1.0 / 3), y.div(3 * Math.pow(6.0 / 29, 2)).add(4.0 / 29));
        return f.mul(1.16).sub(0.16);
    }
}
