package io.depthstream.model.net;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.LinkedHashMap;
import java.util.Map;

/** The depth network: a one-image {@link ResnetEncoder} and a {@link DepthDecoder}. */
public final class DepthNet extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ModelConfig config;
    private final ResnetEncoder encoder;
    private final DepthDecoder decoder;

    /** A depth network for the configuration's architecture and scales (uninitialised). */
    public DepthNet(ModelConfig config) {
        super(VERSION);
        this.config = config;
        this.encoder = addChildBlock("encoder",
                ResnetEncoder.builder().architecture(config.architecture()).numInputImages(1).build());
        this.decoder = addChildBlock("decoder", new DepthDecoder(encoder.featureChannels(), config.scales()));
        // torchvision initialises ResNet convs with Kaiming-normal (fan-out); the decoders follow suit.
        setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2f),
                Parameter.Type.WEIGHT);
    }

    /** The configuration this network was built for. */
    public ModelConfig config() {
        return config;
    }

    /**
     * @param inputs (N, 3, H, W) RGB in [0, 1]
     * @return as {@link DepthDecoder}: sigmoid disparities per scale (ascending), then decoder features at
     *     scales 1, 2, 3; wrap with {@link DepthOutput#of}
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList features = encoder.forward(store, inputs, training, params);
        NDList out = decoder.forward(store, features, training);
        features.close();
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return decoder.getOutputShapes(encoder.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes);
        decoder.initialize(manager, dataType, encoder.getOutputShapes(inputShapes));
    }

    /** Encoder parameters under the names of monodepth2's {@code encoder.pth} ({@code encoder.conv1.weight}, …). */
    public Map<String, Parameter> encoderTorchParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        encoder.collectTorchParameters("encoder.", out);
        return out;
    }

    /** Decoder parameters under the names of monodepth2's {@code depth.pth} ({@code decoder.0.conv.conv.weight}, …). */
    public Map<String, Parameter> decoderTorchParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        decoder.collectTorchParameters("", out);
        return out;
    }
}
