package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/** Batched homogeneous K and K⁻¹ for the geometry layers, one camera per sample. */
public final class IntrinsicsMatrix {

    private IntrinsicsMatrix() {
    }

    /** (B,4,4) float32 K, one per entry of {@code cameras}. */
    public static NDArray of(NDManager manager, List<Intrinsics> cameras) {
        float[] values = new float[16 * cameras.size()];
        for (int b = 0; b < cameras.size(); b++) {
            System.arraycopy(cameras.get(b).toMatrix4x4(), 0, values, 16 * b, 16);
        }
        return manager.create(values, new Shape(cameras.size(), 4, 4));
    }

    /** (B,4,4) float32 K⁻¹, computed in closed form in double precision rather than by a float32 inversion. */
    public static NDArray inverseOf(NDManager manager, List<Intrinsics> cameras) {
        float[] values = new float[16 * cameras.size()];
        for (int b = 0; b < cameras.size(); b++) {
            Intrinsics k = cameras.get(b);
            double[] inverse = {
                1 / k.fx(), 0, -k.cx() / k.fx(), 0,
                0, 1 / k.fy(), -k.cy() / k.fy(), 0,
                0, 0, 1, 0,
                0, 0, 0, 1
            };
            for (int i = 0; i < 16; i++) {
                values[16 * b + i] = (float) inverse[i];
            }
        }
        return manager.create(values, new Shape(cameras.size(), 4, 4));
    }
}
