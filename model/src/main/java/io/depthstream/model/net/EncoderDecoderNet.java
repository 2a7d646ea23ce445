package io.depthstream.model.net;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link ResnetEncoder} followed by a decoder over its five feature maps: the shape of both monodepth2
 * networks, whose checkpoints keep the encoder and the decoder in separate files.
 */
abstract class EncoderDecoderNet<D extends AbstractBlock & TorchNamed> extends AbstractBlock {

    private static final byte VERSION = 1;

    /** PyTorch's default for {@code nn.Conv2d} weights: uniform within ±√(1/fan-in). */
    private static final XavierInitializer DECODER_INITIALIZER =
            new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1f);

    private final ResnetEncoder encoder;
    private final D decoder;

    EncoderDecoderNet(ResnetEncoder encoder, java.util.function.Function<ResnetEncoder, D> decoderFor) {
        super(VERSION);
        this.encoder = addChildBlock("encoder", encoder);
        this.decoder = addChildBlock("decoder", decoderFor.apply(encoder));
        // torchvision initialises ResNet convs with Kaiming-normal (fan-out). Monodepth2's decoders keep PyTorch's
        // default conv initialisation, uniform within ±1/√fan-in: with Kaiming-normal there, the sigmoid starts
        // saturated (disparity ≈ 0.9, depth ≈ 0.1 m, translations of centimetres) and training from scratch
        // collapses to a constant depth within a few steps.
        setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2f),
                Parameter.Type.WEIGHT);
        decoder.setInitializer(DECODER_INITIALIZER, Parameter.Type.WEIGHT);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList features = encoder.forward(store, inputs, training, params);
        NDList out = decoder.forward(store, features, training, params);
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

    /** Encoder parameters under the names of the encoder's checkpoint file ({@code encoder.conv1.weight}, …). */
    public Map<String, Parameter> encoderTorchParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        encoder.collectTorchParameters("encoder.", out);
        return out;
    }

    /** Decoder parameters under the names of the decoder's checkpoint file ({@code decoder.0…}, {@code net.0…}). */
    public Map<String, Parameter> decoderTorchParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        decoder.collectTorchParameters("", out);
        return out;
    }
}
