package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Reflection padding of the two spatial axes, as {@code torch.nn.ReflectionPad2d} (DJL has none). */
public final class ReflectionPad2d {

    /** Source pixel of every padded pixel, per (H, W, pad); a few sizes per network, computed once. */
    private static final Map<Shape, long[]> SOURCES = new ConcurrentHashMap<>();

    private ReflectionPad2d() {}

    /**
     * Pads H and W by mirroring the border (the edge row itself is not repeated); differentiable. One gather over
     * the flattened image: half the memory traffic of padding each axis by concatenation, and a cheaper
     * backward too.
     *
     * @param x (N, C, H, W) with H, W &gt; pad
     * @param pad rows/columns added on each side
     * @return (N, C, H + 2·pad, W + 2·pad)
     */
    public static NDArray pad(NDArray x, int pad) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        if (pad >= h || pad >= w) {
            throw new IllegalArgumentException(
                    "reflection pad " + pad + " needs more than " + pad + " pixels, got " + h + "x" + w);
        }
        long[] sources = SOURCES.computeIfAbsent(new Shape(h, w, pad), key -> sources(h, w, pad));
        // create() wraps a Java buffer without copying, and autograd keeps the index for the backward pass, where
        // the buffer may already be collected: gather with a copy that the engine owns. torch.gather with the index
        // broadcast over N and C (a view, no copy) rather than advanced indexing: the backward of advanced indexing
        // is an accumulating index_put that PyTorch runs on one thread, gather's is a parallel scatter_add (2-3x
        // faster forward + backward at the decoder's and SSIM's sizes)
        try (NDArray wrapped = x.getManager().create(sources, new Shape(1, 1, sources.length));
                NDArray index = wrapped.duplicate();
                NDArray broadcastIndex = index.broadcast(n, c, sources.length);
                NDArray flat = x.reshape(n, c, (long) h * w);
                NDArray gathered = flat.gather(broadcastIndex, 2)) {
            return gathered.reshape(n, c, h + 2L * pad, w + 2L * pad);
        }
    }

    /**
     * {@link #pad} for a channels-last {@code x}: the gather runs over whole pixels (C contiguous values each) and
     * the result is channels-last too. Same values as {@link #pad} for any layout; only the speed differs.
     *
     * @param x (N, C, H, W), ideally channels-last
     * @return (N, C, H + 2·pad, W + 2·pad), channels-last
     */
    static NDArray padChannelsLast(NDArray x, int pad) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        if (pad >= h || pad >= w) {
            throw new IllegalArgumentException(
                    "reflection pad " + pad + " needs more than " + pad + " pixels, got " + h + "x" + w);
        }
        long[] sources = SOURCES.computeIfAbsent(new Shape(h, w, pad), key -> sources(h, w, pad));
        try (NDArray index = x.getManager().create(sources);
                NDArray nhwc = x.transpose(0, 2, 3, 1);
                NDArray pixels = nhwc.reshape(n, (long) h * w, c);
                NDArray gathered = pixels.get(new NDIndex(":, {}, :", index));
                NDArray padded = gathered.reshape(n, h + 2L * pad, w + 2L * pad, c)) {
            return padded.transpose(0, 3, 1, 2);
        }
    }

    private static long[] sources(int h, int w, int pad) {
        int paddedWidth = w + 2 * pad;
        long[] sources = new long[(h + 2 * pad) * paddedWidth];
        for (int y = 0; y < h + 2 * pad; y++) {
            int sourceRow = reflect(y - pad, h);
            for (int x = 0; x < paddedWidth; x++) {
                sources[y * paddedWidth + x] = (long) sourceRow * w + reflect(x - pad, w);
            }
        }
        return sources;
    }

    /** Mirror an index that is at most one image length outside [0, size) back inside, without repeating the edge. */
    private static int reflect(int i, int size) {
        if (i < 0) {
            return -i;
        }
        return i >= size ? 2 * (size - 1) - i : i;
    }
}
