package io.depthstream.model.geometry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Scalar constants for arithmetic inside an autograd graph, owned by the operand's NDManager.
 *
 * <p>Why not {@code x.mul(2.0)}: DJL 0.25's PyTorch engine turns the number into a tensor over a Java direct buffer
 * without copying (torch {@code from_blob}) and closes it right after the op. Multiplication, division and power save
 * that operand for the backward pass, which then reads the buffer after the garbage collector may have freed it:
 * silently wrong or NaN gradients. A constant created here stays referenced by its manager until the step's
 * manager is closed. Addition and subtraction with a number save nothing and stay safe.
 */
public final class ScalarConstant {

    private ScalarConstant() {
    }

    /** A 0-d array holding {@code value} in {@code like}'s manager and data type (so no float64 promotion). */
    public static NDArray of(NDArray like, double value) {
        DataType type = like.getDataType();
        return like.getManager().create(value).toType(type, false);
    }
}
