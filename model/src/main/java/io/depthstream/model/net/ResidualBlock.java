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
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A torchvision ResNet block: basic (3×3, 3×3) or bottleneck (1×1, 3×3 with the stride, 1×1 ×4), batch norm
 * after every conv (ε = 1e-5), no conv biases, and a 1×1 conv + batch norm shortcut when shape changes.
 */
public final class ResidualBlock extends AbstractBlock implements TorchNamed {

    private static final byte VERSION = 1;
    /** torchvision's batch-norm ε. */
    static final float BATCH_NORM_EPSILON = 1e-5f;

    private final List<Block> convs = new ArrayList<>();
    private final List<Block> norms = new ArrayList<>();
    private final Block downsampleConv;
    private final Block downsampleNorm;

    /**
     * @param inChannels channels entering the block
     * @param planes torchvision's planes (output = planes, or 4·planes for a bottleneck)
     * @param stride 1, or 2 for the first block of layer2..layer4
     * @param bottleneck bottleneck instead of basic block
     */
    public ResidualBlock(int inChannels, int planes, int stride, boolean bottleneck) {
        super(VERSION);
        int outChannels = bottleneck ? planes * 4 : planes;
        if (bottleneck) {
            addConv(planes, 1, 1);
            addConv(planes, 3, stride);
            addConv(outChannels, 1, 1);
        } else {
            addConv(planes, 3, stride);
            addConv(planes, 3, 1);
        }
        if (stride != 1 || inChannels != outChannels) {
            downsampleConv = addChildBlock("downsample0", conv(outChannels, 1, stride));
            downsampleNorm = addChildBlock("downsample1", norm());
        } else {
            downsampleConv = null;
            downsampleNorm = null;
        }
    }

    private void addConv(int filters, int kernel, int stride) {
        int index = convs.size() + 1;
        convs.add(addChildBlock("conv" + index, conv(filters, kernel, stride)));
        norms.add(addChildBlock("bn" + index, norm()));
    }

    static Conv2d conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(false)
                .build();
    }

    static BatchNorm norm() {
        return BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).optMomentum(0.9f).build();
    }

    /**
     * @param inputs (N, in, H, W)
     * @return (N, out, H/stride, W/stride)
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        NDArray x = input;
        for (int i = 0; i < convs.size(); i++) {
            NDArray normalised = InferenceWeights.convNorm(store, convs.get(i), norms.get(i), x, training, params);
            if (x != input) {
                x.close();
            }
            x = normalised;
            if (i < convs.size() - 1) {
                NDArray activated = Activation.relu(x);
                x.close();
                x = activated;
            }
        }
        NDArray identity = input;
        if (downsampleConv != null) {
            identity = InferenceWeights.convNorm(store, downsampleConv, downsampleNorm, input, training, params);
        }
        NDArray sum = x.add(identity);
        x.close();
        if (identity != input) {
            identity.close();
        }
        NDArray out = Activation.relu(sum);
        sum.close();
        return new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block conv : convs) {
            shapes = conv.getOutputShapes(shapes);
        }
        return shapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (int i = 0; i < convs.size(); i++) {
            convs.get(i).initialize(manager, dataType, shapes);
            shapes = convs.get(i).getOutputShapes(shapes);
            norms.get(i).initialize(manager, dataType, shapes);
        }
        if (downsampleConv != null) {
            downsampleConv.initialize(manager, dataType, inputShapes);
            downsampleNorm.initialize(manager, dataType, downsampleConv.getOutputShapes(inputShapes));
        }
    }

    @Override
    public void collectTorchParameters(String prefix, Map<String, Parameter> out) {
        for (int i = 0; i < convs.size(); i++) {
            TorchNamed.conv(convs.get(i), prefix + "conv" + (i + 1) + ".", out);
            TorchNamed.batchNorm(norms.get(i), prefix + "bn" + (i + 1) + ".", out);
        }
        if (downsampleConv != null) {
            TorchNamed.conv(downsampleConv, prefix + "downsample.0.", out);
            TorchNamed.batchNorm(downsampleNorm, prefix + "downsample.1.", out);
        }
    }
}
