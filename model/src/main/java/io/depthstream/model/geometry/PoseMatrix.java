package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/** 4×4 camera transforms from the pose network's axis-angle + translation output. */
public final class PoseMatrix {

    private PoseMatrix() {
    }

    /**
     * Homogeneous translations.
     *
     * @param translation (B,1,3) or (B,3)
     * @return (B,4,4) with identity rotation and the translation in the last column
     */
    public static NDArray translation(NDArray translation) {
        long batch = translation.getShape().get(0);
        NDArray t = translation.reshape(batch, 3);
        NDArray zero = t.get(new NDIndex(":, 0:1")).zerosLike();
        NDArray one = zero.onesLike();
        NDList entries = new NDList(
                one, zero, zero, t.get(new NDIndex(":, 0:1")),
                zero, one, zero, t.get(new NDIndex(":, 1:2")),
                zero, zero, one, t.get(new NDIndex(":, 2:3")),
                zero, zero, zero, one);
        return NDArrays.concat(entries, 1).reshape(batch, 4, 4);
    }

    /**
     * The transform that maps points of the target camera into the source camera, as monodepth2 builds it:
     * T·R normally; with {@code invert} (the pose of a t−1 source, predicted from the pair [t−1, t]) the inverse
     * Rᵀ·T(−t), i.e. rotation Rᵀ and translation −Rᵀt.
     *
     * @param axisAngle (B,1,3) or (B,3)
     * @param translation (B,1,3) or (B,3)
     * @return (B,4,4)
     */
    public static NDArray fromParameters(NDArray axisAngle, NDArray translation, boolean invert) {
        NDArray rotation = Rodrigues.rotation(axisAngle);
        if (invert) {
            return rotation.transpose(0, 2, 1).matMul(translation(translation.neg()));
        }
        return translation(translation).matMul(rotation);
    }
}
