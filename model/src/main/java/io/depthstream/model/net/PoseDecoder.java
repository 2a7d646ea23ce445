package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.depthstream.model.geometry.ScalarConstant;

import java.util.Map;

/**
 * Monodepth2's pose decoder over the deepest pose-encoder feature: 1×1 squeeze to 256 + ReLU, two 3×3 convs
 * (256) + ReLU, a 1×1 conv to 6 values per predicted frame, spatial mean, × 0.01. It predicts two frames, as
 * monodepth2's checkpoints do, and returns the first: axis-angle and translation of the pair's motion.
 */
public final class PoseDecoder extends AbstractBlock implements TorchNamed {

    private static final byte VERSION = 1;
    private static final int WIDTH = 256;
    private static final int FRAMES_PREDICTED = 2;
    private static final float OUTPUT_SCALE = 0.01f;

    private final int encoderChannels;
    private final Block squeeze;
    private final Block pose0;
    private final Block pose1;
    private final Block pose2;

    /** @param encoderChannels channels of the deepest encoder feature map */
    public PoseDecoder(int encoderChannels) {
        super(VERSION);
        this.encoderChannels = encoderChannels;
        squeeze = addChildBlock("squeeze", conv(WIDTH, 1));
        pose0 = addChildBlock("pose0", conv(WIDTH, 3));
        pose1 = addChildBlock("pose1", conv(WIDTH, 3));
        pose2 = addChildBlock("pose2", conv(6 * FRAMES_PREDICTED, 1));
    }

    private static Conv2d conv(int filters, int kernel) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(true)
                .build();
    }

    /**
     * @param inputs the pose encoder's five feature maps; only the last, (N, C, h, w), is used
     * @return axis-angle (N, 3) and translation (N, 3) of the motion from the pair's first to its second image
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(inputs.size() - 1);
        Block[] convs = {squeeze, pose0, pose1, pose2};
        for (int i = 0; i < convs.length; i++) {
            NDArray convolved = InferenceWeights.conv(store, convs[i], x, training, params);
            if (i > 0) {
                x.close();
            }
            if (i == convs.length - 1) {
                x = convolved;
            } else {
                x = Activation.relu(convolved);
                convolved.close();
            }
        }
        NDArray mean = x.mean(new int[] {3}).mean(new int[] {2});
        // a plain mul(float) would corrupt the pose gradients in DJL 0.25 (see ScalarConstant)
        NDArray out = mean.mul(ScalarConstant.of(mean, OUTPUT_SCALE));
        return new NDList(out.get(":, 0:3"), out.get(":, 3:6"));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n, 3), new Shape(n, 3)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape deepest = inputShapes[inputShapes.length - 1];
        if (deepest.get(1) != encoderChannels) {
            throw new IllegalArgumentException("pose decoder expects " + encoderChannels + " channels, got "
                    + deepest.get(1));
        }
        squeeze.initialize(manager, dataType, deepest);
        Shape inner = new Shape(deepest.get(0), WIDTH, deepest.get(2), deepest.get(3));
        pose0.initialize(manager, dataType, inner);
        pose1.initialize(manager, dataType, inner);
        pose2.initialize(manager, dataType, inner);
    }

    /** PyTorch names {@code net.0} (squeeze) … {@code net.3}. */
    @Override
    public void collectTorchParameters(String prefix, Map<String, Parameter> out) {
        TorchNamed.conv(squeeze, prefix + "net.0.", out);
        TorchNamed.conv(pose0, prefix + "net.1.", out);
        TorchNamed.conv(pose1, prefix + "net.2.", out);
        TorchNamed.conv(pose2, prefix + "net.3.", out);
    }
}
