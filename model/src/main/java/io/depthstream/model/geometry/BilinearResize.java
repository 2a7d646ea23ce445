package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Differentiable bilinear resizing with half-pixel centres, the equivalent of PyTorch's
 * {@code F.interpolate(size=…, mode="bilinear", align_corners=False)}.
 *
 * <p>Written as two interpolation matrices, out = R_y · x · R_xᵀ, because DJL's resize ops work on HWC images and
 * are not part of the autograd graph; a matrix product is, and handles any batch and channel count.
 */
public final class BilinearResize {

    private BilinearResize() {
    }

    /**
     * Resizes the last two axes.
     *
     * @param x (B,C,h,w)
     * @param height output H
     * @param width output W
     * @return (B,C,H,W), same data type as {@code x}
     */
    public static NDArray resize(NDArray x, int height, int width) {
        Shape shape = x.getShape();
        int inHeight = (int) shape.get(shape.dimension() - 2);
        int inWidth = (int) shape.get(shape.dimension() - 1);
        if (inHeight == height && inWidth == width) {
            return x;
        }
        NDManager manager = x.getManager();
        NDArray rows = manager.create(weights(inHeight, height), new Shape(height, inHeight))
                .toType(x.getDataType(), false);
        NDArray columns = manager.create(weights(inWidth, width), new Shape(width, inWidth))
                .toType(x.getDataType(), false);
        return rows.matMul(x).matMul(columns.transpose());
    }

    /** Row-major (out,in) matrix whose row o holds the two linear weights of output sample o. */
    static double[] weights(int in, int out) {
        double[] matrix = new double[out * in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            // PyTorch clamps negative source positions to 0 for linear modes, so the first output copies pixel 0.
            double source = Math.max((o + 0.5) * scale - 0.5, 0);
            int i0 = Math.min((int) Math.floor(source), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double lambda = source - i0;
            matrix[o * in + i0] += 1 - lambda;
            matrix[o * in + i1] += lambda;
        }
        return matrix;
    }
}
