package io.depthstream.model.net;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.depthstream.model.device.TorchLogLevel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A depth network and a pose network for one {@link ModelConfig}, with their parameters on one device.
 * Not thread-safe: one instance per inference thread or learner.
 */
public final class DepthModel implements AutoCloseable {

    private final ModelConfig config;
    private final NDManager manager;
    private final DepthNet depthNet;
    private final PoseNet poseNet;
    private final InferenceWeights folded;

    private DepthModel(ModelConfig config, NDManager manager, DepthNet depthNet, PoseNet poseNet) {
        this.config = config;
        this.manager = manager;
        this.depthNet = depthNet;
        this.poseNet = poseNet;
        this.folded = new InferenceWeights(manager);
    }

    /**
     * A model with freshly initialised parameters from a seed: Kaiming-normal encoder convs (torchvision),
     * decoder convs uniform within ±1/√fan-in (PyTorch's default, as monodepth2 leaves them), unit batch norms.
     *
     * @param seed seeds PyTorch's generator, so equal seeds give equal parameters on the same device
     */
    public static DepthModel initialise(ModelConfig config, Device device, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        return allocate(config, device);
    }

    /**
     * A model whose parameters are about to be overwritten (by a weights file or a checkpoint): allocated and
     * initialised without re-seeding the engine's generator, which other users of the JVM may rely on.
     */
    public static DepthModel forLoading(ModelConfig config, Device device) {
        return allocate(config, device);
    }

    private static DepthModel allocate(ModelConfig config, Device device) {
        // every command and operator builds its networks here: quiet libtorch's C++ warnings before any weights load
        TorchLogLevel.apply();
        NDManager manager = Engine.getInstance().newBaseManager(device);
        try {
            DepthNet depth = new DepthNet(config);
            depth.initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.height(), config.width()));
            PoseNet pose = new PoseNet(config);
            pose.initialize(manager, DataType.FLOAT32, new Shape(1, 6, config.height(), config.width()));
            return new DepthModel(config, manager, depth, pose);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The configuration. */
    public ModelConfig config() {
        return config;
    }

    /** The device holding the parameters. */
    public Device device() {
        return manager.getDevice();
    }

    /** The manager owning the parameters; open per-batch sub-managers from it. */
    public NDManager manager() {
        return manager;
    }

    /** The depth network block. */
    public DepthNet depthNet() {
        return depthNet;
    }

    /** The pose network block. */
    public PoseNet poseNet() {
        return poseNet;
    }

    /**
     * Runs the depth network.
     *
     * @param images (N, 3, H, W) RGB in [0, 1] at the configured size, on this model's device
     * @param training batch statistics and autograd-friendly forward when true, running statistics when false
     */
    public DepthOutput depth(NDArray images, boolean training) {
        ParameterStore store = new ParameterStore(images.getManager(), false);
        return DepthOutput.of(depthNet.forward(store, new NDList(images), training), config.scales().size());
    }

    /**
     * Runs the pose network on ordered image pairs.
     *
     * @param earlier (N, 3, H, W) the earlier frames
     * @param later (N, 3, H, W) the later frames
     * @return axis-angle (N, 3) and translation (N, 3) of the camera motion from earlier to later
     */
    public NDList pose(NDArray earlier, NDArray later, boolean training) {
        ParameterStore store = new ParameterStore(earlier.getManager(), false);
        return poseNet.forward(store, new NDList(earlier.concat(later, 1)), training);
    }

    /**
     * The depth network for inference: only the scale-0 disparity, batch norm in inference mode and folded into
     * the convolutions (cached until {@link #parametersChanged()}), every intermediate freed as soon as it is used;
     * numerically {@code depth(images, false).disparities().get(0)} up to float rounding.
     *
     * @param images (N, 3, H, W) RGB in [0, 1]; call with autograd off
     * @return (N, 1, H, W) sigmoid disparity
     */
    public NDArray disparityForInference(NDArray images) {
        ParameterStore store = new ParameterStore(images.getManager(), false);
        try (NDArray channelsLast = ChannelsLast.of(images)) {
            return depthNet.forward(store, new NDList(channelsLast), false, folded.asParams(true)).singletonOrThrow();
        }
    }

    /** The pose network for inference, batch norms folded as in {@link #disparityForInference}. */
    public NDList poseForInference(NDArray earlier, NDArray later) {
        ParameterStore store = new ParameterStore(earlier.getManager(), false);
        try (NDArray pair = earlier.concat(later, 1);
                NDArray channelsLast = ChannelsLast.of(pair)) {
            return poseNet.forward(store, new NDList(channelsLast), false, folded.asParams(false));
        }
    }

    /**
     * Must follow every change of parameters or batch-norm statistics (a training step, loading weights): drops
     * the cached inference-time folding.
     */
    public void parametersChanged() {
        folded.clear();
    }

    /** Every parameter under monodepth2's checkpoint names, prefixed by file: {@code encoder.pth/encoder.conv1.weight}. */
    public Map<String, Parameter> torchParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        depthNet.encoderTorchParameters().forEach((k, v) -> out.put("encoder.pth/" + k, v));
        depthNet.decoderTorchParameters().forEach((k, v) -> out.put("depth.pth/" + k, v));
        poseNet.encoderTorchParameters().forEach((k, v) -> out.put("pose_encoder.pth/" + k, v));
        poseNet.decoderTorchParameters().forEach((k, v) -> out.put("pose.pth/" + k, v));
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
