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

/** The pose network: a two-image {@link ResnetEncoder} (6 input channels) and a {@link PoseDecoder}. */
public final class PoseNet extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ResnetEncoder encoder;
    private final PoseDecoder decoder;

    /** A pose network for the configuration's architecture (uninitialised). */
    public PoseNet(ModelConfig config) {
        super(VERSION);
        this.encoder = addChildBlock("encoder",
                ResnetEncoder.builder().architecture(config.architecture()).numInputImages(2).build());
        this.decoder = addChildBlock("decoder", new PoseDecoder(encoder.featureChannels()[4]));
        // torchvision initialises ResNet convs with Kaiming-normal (fan-out); the decoders follow suit.
        setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2f),
                Parameter.Type.WEIGHT);
    }

    /**
     * @param inputs (N, 6, H, W): the earlier frame's RGB then the later frame's, in [0, 1]
     * @return axis-angle (N, 3) and translation (N, 3) of the camera motion between the two frames
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

    /** Encoder parameters under the names of monodepth2's {@code pose_encoder.pth}. */
    public Map<String, Parameter> encoderTorchParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        encoder.collectTorchParameters("encoder.", out);
        return out;
    }

    /** Decoder parameters under the names of monodepth2's {@code pose.pth} ({@code net.0.weight}, …). */
    public Map<String, Parameter> decoderTorchParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        decoder.collectTorchParameters("", out);
        return out;
    }
}
