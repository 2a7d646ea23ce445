package io.depthstream.model.loss;

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
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TripleDNet's pretext layers: {@code blocks} × (zero-padded Conv3×3×{@code channels} → BatchNorm → ReLU), then a
 * Conv1×1 prediction with bias. Deliberately small: "high capacity pretext network would weaken gradient flow to the
 * depth network". The 3×3 convolutions carry no bias because the batch norm after them would cancel it.
 *
 * <p>Parameters by {@link #parametersByName()}: {@code conv<i>_weight}, {@code norm<i>_gamma|beta|runningMean|runningVar},
 * {@code predict_weight}, {@code predict_bias}. Convolution weights start Kaiming-normal (fan-out) like the depth
 * network's.
 */
public final class PretextHead extends AbstractBlock {

    private static final byte VERSION = 1;
    /** BatchNorm ε (PyTorch's default). */
    public static final float BATCH_NORM_EPSILON = 1e-5f;

    private final List<Block> convs = new ArrayList<>();
    private final List<Block> norms = new ArrayList<>();
    private final Block predict;
    private final int outputs;

    private PretextHead(Builder builder) {
        super(VERSION);
        for (int i = 0; i < builder.blocks; i++) {
            convs.add(addChildBlock("conv" + i, Conv2d.builder()
                    .setFilters(builder.channels)
                    .setKernelShape(new Shape(3, 3))
                    .optPadding(new Shape(1, 1))
                    .optBias(false)
                    .build()));
            norms.add(addChildBlock("norm" + i, BatchNorm.builder()
                    .optEpsilon(BATCH_NORM_EPSILON)
                    .optMomentum(0.9f)
                    .build()));
        }
        this.outputs = builder.outputs;
        this.predict = addChildBlock("predict", Conv2d.builder()
                .setFilters(builder.outputs)
                .setKernelShape(new Shape(1, 1))
                .optBias(true)
                .build());
        setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2f),
                Parameter.Type.WEIGHT);
    }

    /** A builder with TripleDNet's D2G shape: 2 blocks of 32 channels, 1 output (grayscale). */
    public static Builder builder() {
        return new Builder();
    }

    /** Every parameter under its stable name (DJL's own names carry a child-order prefix such as {@code 01}). */
    public Map<String, Parameter> parametersByName() {
        Map<String, Parameter> named = new LinkedHashMap<>();
        for (Pair<String, Parameter> pair : getParameters()) {
            // DJL names a child "NNname": drop the two-digit order prefix
            named.put(pair.getKey().substring(2), pair.getValue());
        }
        return named;
    }

    /** The parameters an optimizer must update (batch-norm running statistics excluded). */
    public List<Parameter> trainableParameters() {
        List<Parameter> trainable = new ArrayList<>();
        for (Pair<String, Parameter> pair : getParameters()) {
            if (pair.getValue().requiresGradient()) {
                trainable.add(pair.getValue());
            }
        }
        return trainable;
    }

    /**
     * @param inputs (N, C_in, H, W) — for D2G the predicted disparity, C_in = 1
     * @return (N, outputs, H, W)
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        for (int i = 0; i < convs.size(); i++) {
            NDArray conv = convs.get(i).forward(store, new NDList(x), training, params).singletonOrThrow();
            NDArray norm = norms.get(i).forward(store, new NDList(conv), training, params).singletonOrThrow();
            x = Activation.relu(norm);
        }
        return predict.forward(store, new NDList(x), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outputs, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        for (int i = 0; i < convs.size(); i++) {
            convs.get(i).initialize(manager, dataType, shape);
            shape = convs.get(i).getOutputShapes(new Shape[] {shape})[0];
            norms.get(i).initialize(manager, dataType, shape);
        }
        predict.initialize(manager, dataType, shape);
    }

    /** Builds a {@link PretextHead}. */
    public static final class Builder {
        private int blocks = 2;
        private int channels = 32;
        private int outputs = 1;

        private Builder() {
        }

        /** Conv–BN–ReLU blocks before the prediction (default 2). */
        public Builder optBlocks(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("a pretext head needs at least one block, got " + value);
            }
            blocks = value;
            return this;
        }

        /** Channels of each block (default 32). */
        public Builder optChannels(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("channels must be positive, got " + value);
            }
            channels = value;
            return this;
        }

        /** Predicted channels (default 1: grayscale for D2G; 2 would be a*b* for DG2C). */
        public Builder optOutputs(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("outputs must be positive, got " + value);
            }
            outputs = value;
            return this;
        }

        /** The head; initialise it with {@code initialize(manager, dataType, new Shape(1, C_in, H, W))}. */
        public PretextHead build() {
            return new PretextHead(this);
        }
    }
}
