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
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A torchvision-layout ResNet encoder (7×7/2 stem, 3×3/2 max-pool, four stages) over one or more stacked RGB
 * images in [0, 1], normalised inside as (x − 0.45)/0.225; returns the stem output and the four stage outputs.
 */
public final class ResnetEncoder extends AbstractBlock implements TorchNamed {

    private static final byte VERSION = 1;

    private final Architecture architecture;
    private final int numInputImages;
    private final Block conv1;
    private final Block bn1;
    private final List<List<ResidualBlock>> layers = new ArrayList<>();

    private ResnetEncoder(Builder builder) {
        super(VERSION);
        this.architecture = builder.architecture;
        this.numInputImages = builder.numInputImages;
        int stem = architecture.stemChannels();
        conv1 = addChildBlock("conv1", Conv2d.builder()
                .setFilters(stem)
                .setKernelShape(new Shape(7, 7))
                .optStride(new Shape(2, 2))
                .optPadding(new Shape(3, 3))
                .optBias(false)
                .build());
        bn1 = addChildBlock("bn1", ResidualBlock.norm());
        int channels = stem;
        int expansion = architecture.bottleneck() ? 4 : 1;
        for (int stage = 1; stage <= 4; stage++) {
            List<ResidualBlock> blocks = new ArrayList<>();
            int planes = architecture.planes(stage);
            for (int b = 0; b < architecture.blocksPerStage().get(stage - 1); b++) {
                int stride = b == 0 && stage > 1 ? 2 : 1;
                blocks.add(addChildBlock("layer" + stage + "_" + b,
                        new ResidualBlock(channels, planes, stride, architecture.bottleneck())));
                channels = planes * expansion;
            }
            layers.add(blocks);
        }
    }

    /** A builder; defaults: ResNet-18, one input image. */
    public static Builder builder() {
        return new Builder();
    }

    /** Channels of the five returned feature maps. */
    public int[] featureChannels() {
        return architecture.featureChannels();
    }

    /** Number of RGB images stacked on the channel axis (1 for depth, 2 for pose). */
    public int numInputImages() {
        return numInputImages;
    }

    /**
     * @param inputs (N, 3·numInputImages, H, W), RGB in [0, 1], H and W multiples of 32
     * @return five feature maps at H/2, H/4, H/8, H/16, H/32 with {@link #featureChannels()} channels
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray centred = inputs.singletonOrThrow().sub(0.45f);
        NDArray x = centred.div(0.225f);
        centred.close();
        NDList features = new NDList(5);
        NDArray normalised = InferenceWeights.convNorm(store, conv1, bn1, x, training, params);
        x.close();
        NDArray stem = Activation.relu(normalised);
        normalised.close();
        features.add(stem);
        NDArray current = Pool.maxPool2d(stem, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        boolean currentIsFeature = false;
        for (List<ResidualBlock> layer : layers) {
            for (ResidualBlock block : layer) {
                NDArray next = block.forward(store, new NDList(current), training, params).singletonOrThrow();
                if (!currentIsFeature) {
                    current.close();
                }
                current = next;
                currentIsFeature = false;
            }
            features.add(current);
            currentIsFeature = true;
        }
        return features;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape input = inputShapes[0];
        long n = input.get(0);
        long h = input.get(2);
        long w = input.get(3);
        int[] channels = featureChannels();
        Shape[] shapes = new Shape[5];
        for (int i = 0; i < 5; i++) {
            long factor = 2L << i;
            shapes[i] = new Shape(n, channels[i], h / factor, w / factor);
        }
        return shapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape input = inputShapes[0];
        if (input.get(1) != 3L * numInputImages) {
            throw new IllegalArgumentException("encoder expects " + 3 * numInputImages + " input channels, got "
                    + input.get(1));
        }
        conv1.initialize(manager, dataType, input);
        Shape[] stem = conv1.getOutputShapes(new Shape[] {input});
        bn1.initialize(manager, dataType, stem);
        Shape[] shapes = {new Shape(stem[0].get(0), stem[0].get(1), stem[0].get(2) / 2, stem[0].get(3) / 2)};
        for (List<ResidualBlock> layer : layers) {
            for (ResidualBlock block : layer) {
                block.initialize(manager, dataType, shapes);
                shapes = block.getOutputShapes(shapes);
            }
        }
    }

    @Override
    public void collectTorchParameters(String prefix, Map<String, Parameter> out) {
        TorchNamed.conv(conv1, prefix + "conv1.", out);
        TorchNamed.batchNorm(bn1, prefix + "bn1.", out);
        for (int stage = 0; stage < layers.size(); stage++) {
            List<ResidualBlock> layer = layers.get(stage);
            for (int b = 0; b < layer.size(); b++) {
                layer.get(b).collectTorchParameters(prefix + "layer" + (stage + 1) + "." + b + ".", out);
            }
        }
    }

    /** Builds a {@link ResnetEncoder}. */
    public static final class Builder {
        private Architecture architecture = Architecture.RESNET18;
        private int numInputImages = 1;

        private Builder() {}

        /** The ResNet layout (default ResNet-18). */
        public Builder architecture(Architecture value) {
            this.architecture = value;
            return this;
        }

        /** RGB images stacked on the channel axis: 1 for the depth encoder, 2 for the pose encoder. */
        public Builder numInputImages(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("numInputImages must be >= 1, got " + value);
            }
            this.numInputImages = value;
            return this;
        }

        /** The encoder, uninitialised. */
        public ResnetEncoder build() {
            return new ResnetEncoder(this);
        }
    }
}
