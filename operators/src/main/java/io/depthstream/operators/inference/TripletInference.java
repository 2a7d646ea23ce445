package io.depthstream.operators.inference;

import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.triplet.Triplet;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Depth and pose for a batch of triplets, in the model's own units: one depth pass over all centre frames and one
 * pose pass over all available [prev, cur] and [cur, next] pairs. Owns its model; one instance per thread.
 */
public final class TripletInference implements AutoCloseable {

    /**
     * What the networks say about one triplet.
     *
     * @param depth row-major depth at the model's input size, model units (disparity through the depth range)
     * @param prevToCur motion prev→cur (conventions in {@link DepthResult}), or null without a previous frame
     * @param curToNext motion cur→next, or null without a next frame
     * @param intrinsics the centre frame's intrinsics at the model's input size
     */
    public record Output(float[] depth, float[] prevToCur, float[] curToNext, Intrinsics intrinsics) {}

    private final DepthModel model;
    private final DepthPredictor predictor;

    /** Runs {@code model}, which this instance closes. */
    public TripletInference(DepthModel model) {
        this.model = model;
        this.predictor = new DepthPredictor(model);
    }

    /** The model's configuration (input size, depth range). */
    public ModelConfig config() {
        return model.config();
    }

    /** Infers every triplet of the batch; outputs in the same order. */
    public List<Output> run(List<Triplet> triplets) {
        if (triplets.isEmpty()) {
            return List.of();
        }
        ModelConfig config = model.config();
        // a frame can be one triplet's centre and another's neighbour: prepare each frame once per batch
        Map<Frame, float[]> inputs = new IdentityHashMap<>();
        List<float[]> centres = new ArrayList<>(triplets.size());
        List<float[]> earlier = new ArrayList<>();
        List<float[]> later = new ArrayList<>();
        for (Triplet triplet : triplets) {
            float[] cur = inputs.computeIfAbsent(triplet.cur(), f -> predictor.input(f.image()));
            centres.add(cur);
            if (triplet.prev() != null) {
                earlier.add(inputs.computeIfAbsent(triplet.prev(), f -> predictor.input(f.image())));
                later.add(cur);
            }
            if (triplet.next() != null) {
                earlier.add(cur);
                later.add(inputs.computeIfAbsent(triplet.next(), f -> predictor.input(f.image())));
            }
        }
        float[][] disparities = predictor.disparity(centres);
        float[][] poses = earlier.isEmpty() ? new float[0][] : predictor.pose(earlier, later);

        double minDisparity = 1.0 / config.maxDepth();
        double disparityRange = 1.0 / config.minDepth() - minDisparity;
        List<Output> out = new ArrayList<>(triplets.size());
        int pair = 0;
        for (int i = 0; i < triplets.size(); i++) {
            Triplet triplet = triplets.get(i);
            float[] sigmoid = disparities[i];
            float[] depth = new float[sigmoid.length];
            for (int p = 0; p < sigmoid.length; p++) {
                depth[p] = (float) (1.0 / (minDisparity + disparityRange * sigmoid[p]));
            }
            float[] prevToCur = triplet.prev() != null ? CameraMotion.fromNetworkOutput(poses[pair++]) : null;
            float[] curToNext = triplet.next() != null ? CameraMotion.fromNetworkOutput(poses[pair++]) : null;
            Frame cur = triplet.cur();
            Intrinsics intrinsics = cur.intrinsics().rescaled(
                    cur.image().width(), cur.image().height(), config.width(), config.height());
            out.add(new Output(depth, prevToCur, curToNext, intrinsics));
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
