package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Differentiable bilinear sampling, the equivalent of PyTorch's
 * {@code grid_sample(mode="bilinear", padding_mode="border", align_corners=True)}, which DJL does not expose.
 *
 * <p>Built from floor, clip and gather: gradients reach the image through the gather (a scatter-add backwards) and
 * the grid through the four bilinear weights. Coordinates outside the image are clamped to the border, so, as in
 * PyTorch, they receive no gradient.
 */
public final class BilinearSampler {

    private BilinearSampler() {
    }

    /**
     * Samples {@code image} at {@code grid}.
     *
     * @param image (B,C,H,W)
     * @param grid (B,Ho,Wo,2), last axis (x, y) in [−1, 1], −1 the centre of the first pixel, 1 of the last
     * @return (B,C,Ho,Wo)
     */
    public static NDArray sample(NDArray image, NDArray grid) {
        Shape imageShape = image.getShape();
        long batch = imageShape.get(0);
        long channels = imageShape.get(1);
        long height = imageShape.get(2);
        long width = imageShape.get(3);
        Shape gridShape = grid.getShape();
        long outHeight = gridShape.get(1);
        long outWidth = gridShape.get(2);
        long count = outHeight * outWidth;

        NDArray flatGrid = grid.reshape(batch, count, 2);
        NDArray ix = flatGrid.get(new NDIndex(":, :, 0")).add(1).mul(ScalarConstant.of(grid, (width - 1) / 2.0)).clip(0, width - 1);
        NDArray iy = flatGrid.get(new NDIndex(":, :, 1")).add(1).mul(ScalarConstant.of(grid, (height - 1) / 2.0)).clip(0, height - 1);

        // The corner indices carry no gradient; the fractional parts below keep d/dx through ix − floor(ix).
        // A non-finite coordinate (diverged depth or pose) must not become an out-of-range index: its corner reads
        // pixel 0, and the NaN weights still carry the NaN into the loss, where training detects it.
        NDArray x0 = finiteOrZero(ix.stopGradient()).floor();
        NDArray y0 = finiteOrZero(iy.stopGradient()).floor();
        NDArray x1 = x0.add(1).clip(0, width - 1);
        NDArray y1 = y0.add(1).clip(0, height - 1);
        NDArray wx1 = ix.sub(x0);
        NDArray wy1 = iy.sub(y0);
        NDArray wx0 = wx1.neg().add(1);
        NDArray wy0 = wy1.neg().add(1);

        NDArray flatImage = image.reshape(batch, channels, height * width);
        NDArray result = corner(flatImage, y0, x0, width, channels).mul(wy0.mul(wx0).expandDims(1))
                .add(corner(flatImage, y0, x1, width, channels).mul(wy0.mul(wx1).expandDims(1)))
                .add(corner(flatImage, y1, x0, width, channels).mul(wy1.mul(wx0).expandDims(1)))
                .add(corner(flatImage, y1, x1, width, channels).mul(wy1.mul(wx1).expandDims(1)));
        return result.reshape(batch, channels, outHeight, outWidth);
    }

    private static NDArray finiteOrZero(NDArray x) {
        return NDArrays.where(x.isNaN(), x.zerosLike(), x);
    }

    /** (B,C,N) image values at integer pixel rows {@code y} and columns {@code x}, both (B,N). */
    private static NDArray corner(NDArray flatImage, NDArray y, NDArray x, long width, long channels) {
        NDArray index = y.mul(width).add(x).toType(DataType.INT64, false);
        Shape shape = index.getShape();
        NDArray expanded = index.expandDims(1).broadcast(new Shape(shape.get(0), channels, shape.get(1)));
        return flatImage.gather(expanded, 2);
    }
}
