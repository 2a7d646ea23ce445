package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/** Reflection padding of the two spatial axes, as {@code torch.nn.ReflectionPad2d} (DJL has none). */
public final class ReflectionPad2d {

    private ReflectionPad2d() {}

    /**
     * Pads H and W by mirroring the border (the edge row itself is not repeated); differentiable.
     *
     * @param x (N, C, H, W) with H, W &gt; pad
     * @param pad rows/columns added on each side
     * @return (N, C, H + 2·pad, W + 2·pad)
     */
    public static NDArray pad(NDArray x, int pad) {
        NDArray rows = padAxis(x, 2, pad);
        NDArray padded = padAxis(rows, 3, pad);
        rows.close();
        return padded;
    }

    private static NDArray padAxis(NDArray x, int axis, int pad) {
        long size = x.getShape().get(axis);
        if (pad >= size) {
            throw new IllegalArgumentException("reflection pad " + pad + " needs more than " + pad + " pixels, got " + size);
        }
        String leading = ":,".repeat(axis);
        try (NDArray first = x.get(leading + "1:" + (pad + 1));
                NDArray last = x.get(leading + (size - pad - 1) + ":" + (size - 1));
                NDArray before = first.flip(axis);
                NDArray after = last.flip(axis)) {
            // closing the handles early frees memory at once; autograd keeps what it saved
            return NDArrays.concat(new NDList(before, x, after), axis);
        }
    }
}
