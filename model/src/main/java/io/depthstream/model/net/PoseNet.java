package io.depthstream.model.net;

/**
 * The pose network: a two-image {@link ResnetEncoder} (6 input channels) and a {@link PoseDecoder}.
 *
 * <p>Forward: (N, 6, H, W), the earlier frame's RGB then the later frame's, in [0, 1] → axis-angle (N, 3) and
 * translation (N, 3) of the camera motion between them. Checkpoint names: {@code pose_encoder.pth} and
 * {@code pose.pth}.
 */
public final class PoseNet extends EncoderDecoderNet<PoseDecoder> {

    /** A pose network for the configuration's architecture (uninitialised). */
    public PoseNet(ModelConfig config) {
        super(ResnetEncoder.builder().architecture(config.architecture()).numInputImages(2).build(),
                encoder -> new PoseDecoder(encoder.featureChannels()[4]));
    }
}
