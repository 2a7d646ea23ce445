package io.depthstream.operators.inference;

import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.triplet.Triplet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Depth and pose for a batch of triplets, in the model's own units: one depth pass over all centre frames and one
 * pose pass over the available [prev, cur] and [cur, next] pairs not already run (a camera's cur→next pair is the
 * next triplet's prev→cur). Owns its model; one instance per thread.
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
    private final Map<String, PairKey> lastPairKey = new HashMap<>();
    private final Map<String, float[]> lastPairPose = new HashMap<>();
    private long posePairsRun;

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
        // consecutive triplets of a camera share a pair: cur→next of one is prev→cur of the next, so each pair is
        // run once, within the batch or from the previous batch (half the pose work of a steady stream)
        Map<PairKey, Integer> pairIndex = new HashMap<>();
        Map<PairKey, float[]> reused = new HashMap<>();
        List<float[]> earlier = new ArrayList<>();
        List<float[]> later = new ArrayList<>();
        for (Triplet triplet : triplets) {
            float[] cur = inputs.computeIfAbsent(triplet.cur(), f -> predictor.input(f.image()));
            centres.add(cur);
            for (Frame[] pair : pairs(triplet)) {
                PairKey key = PairKey.of(pair[0], pair[1]);
                if (key.equals(lastPairKey.get(triplet.cameraId()))) {
                    reused.put(key, lastPairPose.get(triplet.cameraId()));
                } else if (!pairIndex.containsKey(key)) {
                    pairIndex.put(key, earlier.size());
                    earlier.add(inputs.computeIfAbsent(pair[0], f -> predictor.input(f.image())));
                    later.add(inputs.computeIfAbsent(pair[1], f -> predictor.input(f.image())));
                }
            }
        }
        float[][] disparities = predictor.disparity(centres);
        float[][] poses = earlier.isEmpty() ? new float[0][] : predictor.pose(earlier, later);
        posePairsRun += earlier.size();

        double minDisparity = 1.0 / config.maxDepth();
        double disparityRange = 1.0 / config.minDepth() - minDisparity;
        List<Output> out = new ArrayList<>(triplets.size());
        for (int i = 0; i < triplets.size(); i++) {
            Triplet triplet = triplets.get(i);
            float[] sigmoid = disparities[i];
            float[] depth = new float[sigmoid.length];
            for (int p = 0; p < sigmoid.length; p++) {
                depth[p] = (float) (1.0 / (minDisparity + disparityRange * sigmoid[p]));
            }
            float[] prevToCur = triplet.prev() == null ? null
                    : CameraMotion.fromNetworkOutput(networkPose(triplet.prev(), triplet.cur(), pairIndex, reused, poses));
            float[] curToNext = triplet.next() == null ? null
                    : CameraMotion.fromNetworkOutput(networkPose(triplet.cur(), triplet.next(), pairIndex, reused, poses));
            Frame cur = triplet.cur();
            Intrinsics intrinsics = cur.intrinsics().rescaled(
                    cur.image().width(), cur.image().height(), config.width(), config.height());
            out.add(new Output(depth, prevToCur, curToNext, intrinsics));
        }
        return out;
    }

    /** Image pairs the pose network has run on so far. */
    public long posePairsRun() {
        return posePairsRun;
    }

    /** The network's output for a pair: computed in this batch, or the camera's last pair of the batch before. */
    private float[] networkPose(Frame earlier, Frame later, Map<PairKey, Integer> pairIndex,
            Map<PairKey, float[]> reused, float[][] poses) {
        PairKey key = PairKey.of(earlier, later);
        Integer index = pairIndex.get(key);
        float[] pose = index != null ? poses[index] : reused.get(key);
        // the latest pair of each camera is kept for the next batch (one entry per camera, so memory stays bounded)
        PairKey previous = lastPairKey.get(earlier.cameraId());
        if (previous == null || previous.laterSeq() <= key.laterSeq() || previous.laterTimeMs() < key.laterTimeMs()) {
            lastPairKey.put(earlier.cameraId(), key);
            lastPairPose.put(earlier.cameraId(), pose);
        }
        return pose;
    }

    private static List<Frame[]> pairs(Triplet triplet) {
        List<Frame[]> pairs = new ArrayList<>(2);
        if (triplet.prev() != null) {
            pairs.add(new Frame[] {triplet.prev(), triplet.cur()});
        }
        if (triplet.next() != null) {
            pairs.add(new Frame[] {triplet.cur(), triplet.next()});
        }
        return pairs;
    }

    /** Identifies an ordered pair of one camera's frames (capture times too: a camera may restart its numbering). */
    private record PairKey(String cameraId, long earlierSeq, long earlierTimeMs, long laterSeq, long laterTimeMs) {
        static PairKey of(Frame earlier, Frame later) {
            return new PairKey(earlier.cameraId(), earlier.seq(), earlier.captureTimeMs(), later.seq(),
                    later.captureTimeMs());
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
