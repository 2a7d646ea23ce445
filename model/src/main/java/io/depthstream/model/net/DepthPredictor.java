package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.RgbImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Batched inference over a {@link DepthModel}: images in, disparities (and poses) out as plain arrays, every
 * intermediate tensor freed after each batch. One instance per thread, like the model itself.
 */
public final class DepthPredictor {

    private final DepthModel model;
    /**
     * Reused native buffers the input tensors are created over: a direct buffer becomes a tensor without another
     * allocation, and each batch's tensors are closed before the next batch refills the buffers.
     */
    private final ByteBuffer[] staging = new ByteBuffer[2];

    /** Predicts with the given model (not closed by this predictor). */
    public DepthPredictor(DepthModel model) {
        this.model = model;
    }

    /**
     * An image as the networks take it: resized to the model's input size (area filter when shrinking), planar
     * RGB floats in [0, 1]. Every caller prepares images this way, so they all feed the model alike.
     */
    public float[] input(RgbImage image) {
        ModelConfig config = model.config();
        return ImageResizer.resize(image, config.width(), config.height()).toChwFloats();
    }

    /** The model predictions come from. */
    public DepthModel model() {
        return model;
    }

    /**
     * Disparity at scale 0 for each image.
     *
     * @param images each 3·H·W floats in [0, 1] (planar RGB) at the model's input size
     * @return per image H·W sigmoid disparities in (0, 1), row-major
     */
    public float[][] disparity(List<float[]> images) {
        ModelConfig config = model.config();
        int plane = config.height() * config.width();
        disableAutograd();
        try (NDManager batch = model.manager().newSubManager()) {
            NDArray input = stack(batch, images, 0);
            float[] all = model.disparityForInference(input).toFloatArray();
            float[][] out = new float[images.size()][plane];
            for (int i = 0; i < images.size(); i++) {
                System.arraycopy(all, i * plane, out[i], 0, plane);
            }
            return out;
        }
    }

    /**
     * Camera motion between ordered pairs of images.
     *
     * @param earlier each 3·H·W floats in [0, 1]
     * @param later each 3·H·W floats in [0, 1], same count as {@code earlier}
     * @return per pair six numbers: axis-angle (3) then translation (3) of the motion from earlier to later
     */
    public float[][] pose(List<float[]> earlier, List<float[]> later) {
        if (earlier.size() != later.size()) {
            throw new IllegalArgumentException(earlier.size() + " earlier frames but " + later.size() + " later ones");
        }
        disableAutograd();
        try (NDManager batch = model.manager().newSubManager()) {
            NDList motion = model.poseForInference(stack(batch, earlier, 0), stack(batch, later, 1));
            float[] rotation = motion.get(0).toFloatArray();
            float[] translation = motion.get(1).toFloatArray();
            float[][] out = new float[earlier.size()][6];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(rotation, 3 * i, out[i], 0, 3);
                System.arraycopy(translation, 3 * i, out[i], 3, 3);
            }
            return out;
        }
    }

    private NDArray stack(NDManager manager, List<float[]> images, int slot) {
        ModelConfig config = model.config();
        int size = 3 * config.height() * config.width();
        int bytes = images.size() * size * Float.BYTES;
        if (staging[slot] == null || staging[slot].capacity() < bytes) {
            staging[slot] = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer buffer = staging[slot].duplicate().order(ByteOrder.nativeOrder());
        buffer.clear().limit(bytes);
        FloatBuffer floats = buffer.asFloatBuffer();
        for (int i = 0; i < images.size(); i++) {
            float[] image = images.get(i);
            if (image.length != size) {
                throw new IllegalArgumentException("image " + i + " has " + image.length + " values, the model takes 3x"
                        + config.height() + "x" + config.width() + " = " + size);
            }
            floats.put(image);
        }
        return manager.create(buffer, new Shape(images.size(), 3, config.height(), config.width()), DataType.FLOAT32);
    }

    /** PyTorch's grad mode is per thread and on by default; inference must not record autograd graphs. */
    private static void disableAutograd() {
        if (JniUtils.isGradMode()) {
            JniUtils.setGradMode(false);
        }
    }
}
