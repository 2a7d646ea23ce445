package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Channels-last ("NHWC") memory layout for 4-d tensors whose logical shape stays (N, C, H, W): oneDNN convolves
 * such tensors without reordering them, and PyTorch's elementwise ops, pooling, upsampling and concatenation keep
 * the layout. DJL has no memory-format API, so the layout is made by copying into NHWC order and viewing it back.
 */
final class ChannelsLast {

    private ChannelsLast() {}

    /**
     * @param x (N, C, H, W) in any layout
     * @return a new (N, C, H, W) array whose memory is ordered N, H, W, C
     */
    static NDArray of(NDArray x) {
        Shape shape = x.getShape();
        try (NDArray nhwcView = x.transpose(0, 2, 3, 1);
                NDArray flat = nhwcView.flatten();
                NDArray nhwc = flat.reshape(shape.get(0), shape.get(2), shape.get(3), shape.get(1))) {
            return nhwc.transpose(0, 3, 1, 2);
        }
    }
}
