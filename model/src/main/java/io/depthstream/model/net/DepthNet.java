package io.depthstream.model.net;

/**
 * The depth network: a one-image {@link ResnetEncoder} and a {@link DepthDecoder}.
 *
 * <p>Forward: (N, 3, H, W) RGB in [0, 1] → sigmoid disparities per scale (ascending), then decoder features at
 * scales 1, 2, 3 (wrap with {@link DepthOutput#of}). Checkpoint names: {@code encoder.pth} and {@code depth.pth}.
 */
public final class DepthNet extends EncoderDecoderNet<DepthDecoder> {

    private final ModelConfig config;

    /** A depth network for the configuration's architecture and scales (uninitialised). */
    public DepthNet(ModelConfig config) {
        super(ResnetEncoder.builder().architecture(config.architecture()).numInputImages(1).build(),
                encoder -> new DepthDecoder(encoder.featureChannels(), config.scales()));
        this.config = config;
    }

    /** The configuration this network was built for. */
    public ModelConfig config() {
        return config;
    }
}
