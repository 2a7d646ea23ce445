package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Nearest-neighbour ×2 upsampling of the spatial axes, as {@code F.interpolate(scale_factor=2, mode="nearest")}. */
public final class NearestUpsample {

    /** PyTorch's interpolation mode code for nearest (DJL's own mapping of {@code Interpolation.NEAREST}). */
    private static final int NEAREST = 0;

    private NearestUpsample() {}

    /**
     * One native op (differentiable), several times faster than two {@code repeat}s.
     *
     * @param x (N, C, H, W)
     * @return (N, C, 2H, 2W)
     */
    public static NDArray twice(NDArray x) {
        long[] shape = x.getShape().getShape();
        return JniUtils.interpolate((PtNDArray) x, new long[] {2 * shape[2], 2 * shape[3]}, NEAREST, false);
    }
}
