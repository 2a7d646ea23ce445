package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/** Rotation matrices from axis-angle vectors by the Rodrigues formula (as monodepth2's pose decoder output is read). */
public final class Rodrigues {

    /**
     * Added to the angle before normalising the axis, as monodepth2 does, so a zero vector gives the identity
     * rotation instead of a division by zero.
     */
    public static final double AXIS_EPSILON = 1e-7;

    private Rodrigues() {
    }

    /**
     * Homogeneous rotations for axis-angle vectors (angle = vector norm, radians).
     *
     * @param axisAngle (B,1,3) or (B,3)
     * @return (B,4,4), last row and column (0,0,0,1)
     */
    public static NDArray rotation(NDArray axisAngle) {
        long batch = axisAngle.getShape().get(0);
        NDArray vec = axisAngle.reshape(batch, 3);
        NDArray angle = vec.norm(new int[] {1}, true);
        NDArray axis = vec.div(angle.add(AXIS_EPSILON));
        NDArray ca = angle.cos();
        NDArray sa = angle.sin();
        NDArray c = ca.neg().add(1);

        NDArray x = axis.get(new NDIndex(":, 0:1"));
        NDArray y = axis.get(new NDIndex(":, 1:2"));
        NDArray z = axis.get(new NDIndex(":, 2:3"));
        NDArray xs = x.mul(sa);
        NDArray ys = y.mul(sa);
        NDArray zs = z.mul(sa);
        NDArray xc = x.mul(c);
        NDArray yc = y.mul(c);
        NDArray zc = z.mul(c);
        NDArray zero = angle.zerosLike();
        NDArray one = angle.onesLike();

        NDList entries = new NDList(
                x.mul(xc).add(ca), x.mul(yc).sub(zs), x.mul(zc).add(ys), zero,
                y.mul(xc).add(zs), y.mul(yc).add(ca), y.mul(zc).sub(xs), zero,
                z.mul(xc).sub(ys), z.mul(yc).add(xs), z.mul(zc).add(ca), zero,
                zero, zero, zero, one);
        return NDArrays.concat(entries, 1).reshape(batch, 4, 4);
    }
}
