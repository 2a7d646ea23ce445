package io.depthstream.model.io;

import java.util.Arrays;

/**
 * A tensor read from a PyTorch checkpoint, its values made contiguous in C (row-major) order.
 *
 * @param shape the tensor's shape; empty for a 0-dimensional tensor
 * @param strides the strides, in elements, the tensor had in its storage when it was saved
 * @param storageOffset the element offset it had in its storage when it was saved
 * @param dtype the element type in the file
 * @param floats the values of a floating tensor (float16, bfloat16 and float64 are converted to float32);
 *     {@code null} for integral and bool tensors
 * @param longs the values of an integral or bool (0/1) tensor; {@code null} for floating tensors
 */
public record TorchTensor(long[] shape, long[] strides, long storageOffset, TorchDtype dtype, float[] floats,
                          long[] longs) {

    public TorchTensor {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in rank");
        }
        if ((floats != null) != dtype.floating() || (longs != null) == dtype.floating()) {
            throw new IllegalArgumentException(dtype + " tensors hold " + (dtype.floating() ? "floats" : "longs"));
        }
        long count = numel(shape);
        int length = floats != null ? floats.length : longs.length;
        if (count != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " values, got " + length);
        }
    }

    /** The number of elements. */
    public long numel() {
        return numel(shape);
    }

    static long numel(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    @Override
    public String toString() {
        return "TorchTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
