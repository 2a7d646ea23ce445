package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/** Lifts every pixel of a depth map to a homogeneous 3-D point in its camera: X = depth·K⁻¹·(u, v, 1). */
public final class BackprojectDepth {

    private BackprojectDepth() {
    }

    /**
     * Homogeneous camera points, pixel order row-major (index v·W + u).
     *
     * @param depth (B,1,H,W)
     * @param invK (B,4,4) per-sample inverse intrinsics (samples may come from different cameras)
     * @return (B,4,H·W) with the last row 1
     */
    public static NDArray apply(NDArray depth, NDArray invK) {
        Shape shape = depth.getShape();
        long batch = shape.get(0);
        int height = (int) shape.get(2);
        int width = (int) shape.get(3);
        NDArray pixels = pixelGrid(depth.getManager(), height, width).toType(depth.getDataType(), false);
        NDArray rays = invK.get(new NDIndex(":, 0:3, 0:3")).matMul(pixels);
        NDArray points = rays.mul(depth.reshape(batch, 1, (long) height * width));
        return points.concat(points.get(new NDIndex(":, 0:1, :")).onesLike(), 1);
    }

    /** (3,H·W) homogeneous pixel coordinates (u, v, 1), u the column index. */
    static NDArray pixelGrid(NDManager manager, int height, int width) {
        float[] grid = new float[3 * height * width];
        int n = height * width;
        for (int v = 0; v < height; v++) {
            for (int u = 0; u < width; u++) {
                int i = v * width + u;
                grid[i] = u;
                grid[n + i] = v;
                grid[2 * n + i] = 1f;
            }
        }
        return manager.create(grid, new Shape(3, n));
    }
}
