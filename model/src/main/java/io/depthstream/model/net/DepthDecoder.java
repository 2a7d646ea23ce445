package io.depthstream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Monodepth2's depth decoder: from the deepest encoder feature up, per level i = 4..0 a conv block, nearest ×2
 * upsampling, the encoder skip i−1, another conv block; a sigmoid disparity head at each requested scale.
 */
public final class DepthDecoder extends AbstractBlock implements TorchNamed {

    private static final byte VERSION = 1;
    /** Decoder channels per level 0..4. */
    static final int[] DECODER_CHANNELS = {16, 32, 64, 128, 256};
    /** Forward param: produce only the scale-0 disparity (inference), freeing every level once used. */
    static final String FINEST_ONLY = "depthstream.finestDisparityOnly";
    /** Levels whose decoder features the triplet losses use. */
    static final int[] FEATURE_SCALES = {1, 2, 3};

    private final int[] encoderChannels;
    private final List<Integer> scales;
    private final Conv3x3[] upconv0 = new Conv3x3[5];
    private final Conv3x3[] upconv1 = new Conv3x3[5];
    private final Conv3x3[] dispconv = new Conv3x3[4];

    /**
     * @param encoderChannels channels of the encoder's five feature maps
     * @param scales disparity scales to produce (subset of 0..3, ascending)
     */
    public DepthDecoder(int[] encoderChannels, List<Integer> scales) {
        super(VERSION);
        this.encoderChannels = encoderChannels.clone();
        this.scales = List.copyOf(scales);
        for (int i = 4; i >= 0; i--) {
            upconv0[i] = addChildBlock("upconv" + i + "0", new Conv3x3(DECODER_CHANNELS[i], true));
            upconv1[i] = addChildBlock("upconv" + i + "1", new Conv3x3(DECODER_CHANNELS[i], true));
        }
        for (int s : this.scales) {
            dispconv[s] = addChildBlock("dispconv" + s, new Conv3x3(1, false));
        }
    }

    /**
     * @param inputs the encoder's five feature maps (N, C_i, H/2^(i+1), W/2^(i+1))
     * @return disparities in (0, 1) for each scale s in ascending order, (N, 1, H/2^s, W/2^s), followed by the
     *     decoder features at scales 1, 2, 3: (N, 32, H/2, W/2), (N, 64, H/4, W/4), (N, 128, H/8, W/8); with the
     *     {@link #FINEST_ONLY} param, only the scale-0 disparity
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        boolean finestOnly = params != null && params.contains(FINEST_ONLY);
        NDArray[] disparities = new NDArray[4];
        NDArray[] features = new NDArray[5];
        NDArray x = inputs.get(4);
        for (int i = 4; i >= 0; i--) {
            NDArray reduced = upconv0[i].forward(store, new NDList(x), training, params).singletonOrThrow();
            if (i < 4) {
                release(x, i + 1, finestOnly);
            }
            NDArray upsampled = NearestUpsample.twice(reduced);
            reduced.close();
            NDArray merged = upsampled;
            if (i > 0) {
                merged = NDArrays.concat(new NDList(upsampled, inputs.get(i - 1)), 1);
                upsampled.close();
            }
            x = upconv1[i].forward(store, new NDList(merged), training, params).singletonOrThrow();
            merged.close();
            features[i] = x;
            if (i < 4 && dispconv[i] != null && (i == 0 || !finestOnly)) {
                NDArray logits = dispconv[i].forward(store, new NDList(x), training, params).singletonOrThrow();
                disparities[i] = Activation.sigmoid(logits);
                logits.close();
            }
        }
        release(x, 0, finestOnly);
        if (finestOnly) {
            return new NDList(disparities[0]);
        }
        NDList out = new NDList(scales.size() + FEATURE_SCALES.length);
        for (int s : scales) {
            out.add(disparities[s]);
        }
        for (int s : FEATURE_SCALES) {
            out.add(features[s]);
        }
        return out;
    }

    /** Frees a level's output once the next level has used it, unless it is returned as a feature map. */
    private static void release(NDArray levelOutput, int level, boolean finestOnly) {
        for (int returned : FEATURE_SCALES) {
            if (returned == level && !finestOnly) {
                return;
            }
        }
        levelOutput.close();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape stem = inputShapes[0];
        long n = stem.get(0);
        long h = stem.get(2) * 2;
        long w = stem.get(3) * 2;
        List<Shape> shapes = new ArrayList<>();
        for (int s : scales) {
            shapes.add(new Shape(n, 1, h >> s, w >> s));
        }
        for (int s : FEATURE_SCALES) {
            shapes.add(new Shape(n, DECODER_CHANNELS[s], h >> s, w >> s));
        }
        return shapes.toArray(new Shape[0]);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape deepest = inputShapes[4];
        long n = deepest.get(0);
        long h = deepest.get(2);
        long w = deepest.get(3);
        long channels = encoderChannels[4];
        for (int i = 4; i >= 0; i--) {
            upconv0[i].initialize(manager, dataType, new Shape(n, channels, h, w));
            h *= 2;
            w *= 2;
            long skip = i > 0 ? encoderChannels[i - 1] : 0;
            Shape merged = new Shape(n, DECODER_CHANNELS[i] + skip, h, w);
            upconv1[i].initialize(manager, dataType, merged);
            if (i < 4 && dispconv[i] != null) {
                dispconv[i].initialize(manager, dataType, new Shape(n, DECODER_CHANNELS[i], h, w));
            }
            channels = DECODER_CHANNELS[i];
        }
    }

    /** PyTorch names: one list {@code decoder.N}, upconv(4,0), upconv(4,1), …, upconv(0,1), then dispconv(s). */
    @Override
    public void collectTorchParameters(String prefix, Map<String, Parameter> out) {
        int index = 0;
        for (int i = 4; i >= 0; i--) {
            upconv0[i].collectTorchParameters(prefix + "decoder." + index++ + ".", out);
            upconv1[i].collectTorchParameters(prefix + "decoder." + index++ + ".", out);
        }
        for (int s : scales) {
            dispconv[s].collectTorchParameters(prefix + "decoder." + index++ + ".", out);
        }
    }
}
