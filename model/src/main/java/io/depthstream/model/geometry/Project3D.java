package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** Projects camera points through a pose and intrinsics into a sampling grid for {@link BilinearSampler}. */
public final class Project3D {

    /** Keeps the perspective division finite for points on the camera plane (monodepth2's value). */
    public static final double DEPTH_EPSILON = 1e-7;

    private Project3D() {
    }

    /**
     * Pixel coordinates of K·T·X, normalised with the align-corners convention x = 2u/(W−1) − 1, y = 2v/(H−1) − 1.
     *
     * @param points (B,4,H·W) homogeneous points from {@link BackprojectDepth}
     * @param k (B,4,4) per-sample intrinsics of the image to sample
     * @param transform (B,4,4) target-camera → source-camera transform
     * @param height H of the grid
     * @param width W of the grid
     * @return (B,H,W,2), last axis (x, y)
     */
    public static NDArray apply(NDArray points, NDArray k, NDArray transform, int height, int width) {
        long batch = points.getShape().get(0);
        NDArray projection = k.matMul(transform).get(new NDIndex(":, 0:3, :"));
        NDArray camera = projection.matMul(points);
        NDArray uv = camera.get(new NDIndex(":, 0:2, :"))
                .div(camera.get(new NDIndex(":, 2:3, :")).add(DEPTH_EPSILON));
        NDArray grid = uv.reshape(batch, 2, height, width).transpose(0, 2, 3, 1);
        NDArray x = grid.get(new NDIndex("..., 0:1")).mul(ScalarConstant.of(grid, 2.0 / (width - 1))).sub(1);
        NDArray y = grid.get(new NDIndex("..., 1:2")).mul(ScalarConstant.of(grid, 2.0 / (height - 1))).sub(1);
        return x.concat(y, 3);
    }
}
