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

import java.util.Map;

/**
 * A reflection-padded 3×3 convolution with bias, optionally followed by ELU: the decoder's building block.
 * Without ELU it is monodepth2's {@code Conv3x3} (PyTorch names {@code conv.*}); with ELU its {@code ConvBlock}
 * (PyTorch names {@code conv.conv.*}).
 */
public final class Conv3x3 extends AbstractBlock implements TorchNamed {

    private static final byte VERSION = 1;

    private final Block conv;
    private final int outChannels;
    private final boolean elu;

    /**
     * @param outChannels filters
     * @param elu whether an ELU (α = 1) follows
     */
    public Conv3x3(int outChannels, boolean elu) {
        super(VERSION);
        this.elu = elu;
        this.outChannels = outChannels;
        this.conv = addChildBlock("conv", Conv2d.builder()
                .setFilters(outChannels)
                .setKernelShape(new Shape(3, 3))
                .optBias(true)
                .build());
    }

    /**
     * @param inputs (N, C, H, W)
     * @return (N, outChannels, H, W)
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray padded = InferenceWeights.channelsLast(training, params)
                ? ReflectionPad2d.padChannelsLast(inputs.singletonOrThrow(), 1)
                : ReflectionPad2d.pad(inputs.singletonOrThrow(), 1);
        NDArray out = InferenceWeights.conv(store, conv, padded, training, params);
        // intermediates are released as soon as they are used: freed memory is reused while still in cache
        padded.close();
        if (!elu) {
            return new NDList(out);
        }
        NDArray activated = Activation.elu(out, 1f);
        out.close();
        return new NDList(activated);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        conv.initialize(manager, dataType, new Shape(in.get(0), in.get(1), in.get(2) + 2, in.get(3) + 2));
    }

    @Override
    public void collectTorchParameters(String prefix, Map<String, Parameter> out) {
        TorchNamed.conv(conv, prefix + (elu ? "conv.conv." : "conv."), out);
    }
}
