package io.depthstream.model.io;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A tensor as its pickle describes it, before its storage has been read: storage, offset, shape and strides, the
 * arguments of {@code torch._utils._rebuild_tensor_v2}.
 */
record TensorRef(StorageRef storage, long offset, long[] shape, long[] strides) {

    /**
     * Gathers the tensor's elements from {@code bytes} (the whole storage, in the file's byte order) into C order;
     * every index is checked against the storage because the file is untrusted.
     */
    TorchTensor materialize(ByteBuffer bytes, String where) {
        TorchDtype dtype = storage.dtype();
        int size = dtype.elementSize();
        long available = bytes.remaining() / size;
        long first = Math.addExact(storage.viewOffset(), offset);
        long last = first;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || strides[d] < 0) {
                throw new TorchCheckpointException(where + " has shape " + Arrays.toString(shape) + " and strides "
                        + Arrays.toString(strides) + "; negative sizes and strides do not occur in torch");
            }
            if (shape[d] > 0) {
                last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, strides[d]));
            }
        }
        long count = numel(where);
        if (count > 0 && (first < 0 || last >= available)) {
            throw new TorchCheckpointException(where + " reaches elements " + first + ".." + last + " of storage "
                    + storage.key() + ", which holds " + available);
        }
        float[] floats = dtype.floating() ? new float[(int) count] : null;
        long[] longs = dtype.floating() ? null : new long[(int) count];
        ByteBuffer data = bytes.slice().order(bytes.order());
        long[] index = new long[shape.length];
        long position = first;
        for (int i = 0; i < count; i++) {
            int byteIndex = (int) (position * size);
            if (floats != null) {
                floats[i] = (float) dtype.readFloating(data, byteIndex);
            } else {
                longs[i] = dtype.readIntegral(data, byteIndex);
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                index[d]++;
                position += strides[d];
                if (index[d] < shape[d]) {
                    break;
                }
                position -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
        return new TorchTensor(shape.clone(), strides.clone(), offset, dtype, floats, longs);
    }

    private long numel(String where) {
        if (shape.length != strides.length) {
            throw new TorchCheckpointException(where + " has shape " + Arrays.toString(shape) + " but strides "
                    + Arrays.toString(strides));
        }
        long count;
        try {
            count = TorchTensor.numel(shape);
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        // Java arrays end at 2^31 - 1 elements
        if (count > Integer.MAX_VALUE - 8) {
            throw new TorchCheckpointException(where + " has " + count + " elements, more than a Java array holds");
        }
        return count;
    }
}
