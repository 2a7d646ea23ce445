package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/** Reflection padding of the last two axes (torch.nn.ReflectionPad2d), which DJL lacks; built from slices + concat. */
public final class ReflectionPad2d {

    private ReflectionPad2d() {
    }

    /**
     * Pads by mirroring about the edge pixel, which itself is not repeated: row −k takes row k.
     *
     * @param x (…,H,W) with H, W &gt; {@code pad}
     * @param pad margin on each side
     * @return (…,H+2·pad,W+2·pad)
     */
    public static NDArray pad(NDArray x, int pad) {
        Shape shape = x.getShape();
        int dims = shape.dimension();
        long height = shape.get(dims - 2);
        long width = shape.get(dims - 1);
        if (pad < 0 || pad >= height || pad >= width) {
            throw new IllegalArgumentException("reflection pad " + pad + " needs H and W above it, got " + shape);
        }
        if (pad == 0) {
            return x;
        }
        NDArray wide = NDArrays.concat(new NDList(
                x.get(new NDIndex("..., 1:" + (pad + 1))).flip(dims - 1),
                x,
                x.get(new NDIndex("..., " + (width - pad - 1) + ":" + (width - 1))).flip(dims - 1)), dims - 1);
        return NDArrays.concat(new NDList(
                wide.get(new NDIndex("..., 1:" + (pad + 1) + ", :")).flip(dims - 2),
                wide,
                wide.get(new NDIndex("..., " + (height - pad - 1) + ":" + (height - 1) + ", :")).flip(dims - 2)),
                dims - 2);
    }
}
