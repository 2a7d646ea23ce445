package io.depthstream.model.net;

import ai.djl.nn.Parameter;

import java.util.Map;

/** A block that can list its parameters under the names PyTorch's state dict gives the same module. */
public interface TorchNamed {

    /**
     * Adds this block's parameters to {@code out}, keyed by {@code prefix} + the PyTorch name
     * (e.g. {@code encoder.layer1.0.conv1.weight}, {@code encoder.bn1.running_mean}).
     */
    void collectTorchParameters(String prefix, Map<String, Parameter> out);

    /** A DJL convolution's parameters under PyTorch's names. */
    static void conv(ai.djl.nn.Block conv, String prefix, Map<String, Parameter> out) {
        out.put(prefix + "weight", conv.getParameters().get("weight"));
        Parameter bias = conv.getParameters().get("bias");
        if (bias != null) {
            out.put(prefix + "bias", bias);
        }
    }

    /** A DJL batch norm's parameters under PyTorch's names. */
    static void batchNorm(ai.djl.nn.Block norm, String prefix, Map<String, Parameter> out) {
        out.put(prefix + "weight", norm.getParameters().get("gamma"));
        out.put(prefix + "bias", norm.getParameters().get("beta"));
        out.put(prefix + "running_mean", norm.getParameters().get("runningMean"));
        out.put(prefix + "running_var", norm.getParameters().get("runningVar"));
    }
}
