package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The convolution weights inference runs with: each batch norm folded into the convolution before it,
 * conv(x, w·s) + (β − μ·s) with s = γ/√(σ² + ε), one op instead of two; every weight in the channels-last layout
 * that inference activations use (see {@link ChannelsLast}). Cached per convolution until {@link #clear()}, which
 * {@link DepthModel#parametersChanged()} calls whenever parameters or running statistics change.
 */
final class InferenceWeights {

    /** The key under which a forward pass finds the cache in its {@code params}. */
    static final String PARAM = "depthstream.inferenceWeights";

    private final NDManager manager;
    private final Map<Block, NDArray[]> cache = new IdentityHashMap<>();

    InferenceWeights(NDManager manager) {
        this.manager = manager;
    }

    /** Forward params that select the inference weights and layout; {@code finestOnly} also limits the depth decoder to scale 0. */
    PairList<String, Object> asParams(boolean finestOnly) {
        PairList<String, Object> params = new PairList<>();
        params.add(PARAM, this);
        if (finestOnly) {
            params.add(DepthDecoder.FINEST_ONLY, Boolean.TRUE);
        }
        return params;
    }

    /**
     * conv followed by batch norm: folded when {@code params} carry a cache and this is not training.
     *
     * @param x (N, C_in, H, W)
     * @return (N, C_out, H', W')
     */
    static NDArray convNorm(ParameterStore store, Block conv, Block norm, NDArray x, boolean training,
            PairList<String, Object> params) {
        InferenceWeights folded = training || params == null ? null : (InferenceWeights) params.get(PARAM);
        if (folded != null) {
            NDArray[] weights = folded.weights((Convolution) conv, norm);
            Convolution convolution = (Convolution) conv;
            return Conv2d.conv2d(x, weights[0], weights[1], convolution.getStride(), convolution.getPadding())
                    .singletonOrThrow();
        }
        NDArray convolved = conv.forward(store, new NDList(x), training).singletonOrThrow();
        NDArray normalised = norm.forward(store, new NDList(convolved), training).singletonOrThrow();
        convolved.close();
        return normalised;
    }

    private NDArray[] weights(Convolution conv, Block norm) {
        NDArray[] cached = cache.get(conv);
        if (cached != null) {
            return cached;
        }
        NDArray weight = conv.getParameters().get("weight").getArray();
        NDArray gamma = norm.getParameters().get("gamma").getArray();
        NDArray beta = norm.getParameters().get("beta").getArray();
        NDArray mean = norm.getParameters().get("runningMean").getArray();
        NDArray variance = norm.getParameters().get("runningVar").getArray();
        try (NDManager scratch = manager.newSubManager()) {
            NDArray varianceHere = variance.duplicate();
            varianceHere.attach(scratch);
            NDArray scale = gamma.div(varianceHere.add(ResidualBlock.BATCH_NORM_EPSILON).sqrt());
            scale.attach(scratch);
            NDArray foldedWeight = weight.mul(scale.reshape(-1, 1, 1, 1));
            NDArray shift = mean.mul(scale);
            shift.attach(scratch);
            NDArray foldedBias = beta.sub(shift);
            foldedWeight.attach(manager);
            foldedBias.attach(manager);
            NDArray channelsLast = ChannelsLast.of(foldedWeight);
            foldedWeight.close();
            foldedWeight = channelsLast;
            foldedWeight.attach(manager);
            NDArray[] folded = {foldedWeight, foldedBias};
            cache.put(conv, folded);
            return folded;
        }
    }

    /**
     * A convolution with bias and no batch norm: at inference its weight is cached in channels-last layout.
     *
     * @param x (N, C_in, H, W)
     * @return (N, C_out, H', W')
     */
    static NDArray conv(ParameterStore store, Block conv, NDArray x, boolean training,
            PairList<String, Object> params) {
        InferenceWeights folded = training || params == null ? null : (InferenceWeights) params.get(PARAM);
        if (folded == null) {
            return conv.forward(store, new NDList(x), training).singletonOrThrow();
        }
        Convolution convolution = (Convolution) conv;
        NDArray[] weights = folded.cache.get(conv);
        if (weights == null) {
            NDArray weight = ChannelsLast.of(conv.getParameters().get("weight").getArray());
            weight.attach(folded.manager);
            NDArray bias = conv.getParameters().get("bias").getArray().duplicate();
            bias.attach(folded.manager);
            weights = new NDArray[] {weight, bias};
            folded.cache.put(conv, weights);
        }
        return Conv2d.conv2d(x, weights[0], weights[1], convolution.getStride(), convolution.getPadding())
                .singletonOrThrow();
    }

    /** Whether a forward pass runs with these weights, hence in the channels-last inference layout. */
    static boolean channelsLast(boolean training, PairList<String, Object> params) {
        return !training && params != null && params.contains(PARAM);
    }

    /** Drops every folded weight (parameters or statistics changed). */
    void clear() {
        for (NDArray[] folded : cache.values()) {
            folded[0].close();
            folded[1].close();
        }
        cache.clear();
    }
}
