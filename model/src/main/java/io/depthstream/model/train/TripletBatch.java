package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.geometry.IntrinsicsMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch of samples as tensors: what the networks see (augmented) and what the losses see (originals, flipped
 * with the sample), plus per-sample K and K⁻¹ and the centre frames' semantic maps (flipped with the sample).
 * All arrays belong to the manager given at creation.
 */
final class TripletBatch {

    final NDArray networkPrevious;
    final NDArray networkCurrent;
    final NDArray networkNext;
    final NDArray lossPrevious;
    final NDArray lossCurrent;
    final NDArray lossNext;
    final NDArray k;
    final NDArray invK;
    /** Per sample its centre frame's class ids as the losses see them, or null. */
    final List<SemanticMap> semantic;

    /**
     * @param augmentations one per sample
     * @throws IllegalArgumentException when samples disagree on which neighbours they have, or on size
     */
    TripletBatch(NDManager manager, List<TrainingSample> samples, List<Augmentation> augmentations, int height,
            int width) {
        if (samples.isEmpty() || samples.size() != augmentations.size()) {
            throw new IllegalArgumentException("need one augmentation per sample and at least one sample");
        }
        boolean hasPrevious = samples.get(0).previous() != null;
        boolean hasNext = samples.get(0).next() != null;
        int size = 3 * height * width;
        List<Intrinsics> cameras = new ArrayList<>();
        List<SemanticMap> maps = new ArrayList<>();
        float[][] network = new float[3][samples.size() * size];
        float[][] loss = new float[3][samples.size() * size];
        for (int b = 0; b < samples.size(); b++) {
            TrainingSample sample = samples.get(b);
            if ((sample.previous() != null) != hasPrevious || (sample.next() != null) != hasNext) {
                throw new IllegalArgumentException("all samples of a batch must have the same neighbours present");
            }
            if (sample.current().length != size) {
                throw new IllegalArgumentException("sample " + b + " has " + sample.current().length
                        + " values, the model takes 3x" + height + "x" + width);
            }
            Augmentation augmentation = augmentations.get(b);
            float[][] frames = {sample.previous(), sample.current(), sample.next()};
            for (int f = 0; f < 3; f++) {
                if (frames[f] != null) {
                    System.arraycopy(augmentation.networkImage(frames[f], width, height), 0, network[f], b * size, size);
                    System.arraycopy(augmentation.lossImage(frames[f], width, height), 0, loss[f], b * size, size);
                }
            }
            cameras.add(augmentation.intrinsics(sample.intrinsics(), width));
            SemanticMap map = sample.semantic();
            maps.add(map == null || !augmentation.flip() ? map : map.mirrored());
        }
        Shape shape = new Shape(samples.size(), 3, height, width);
        networkPrevious = hasPrevious ? manager.create(network[0], shape) : null;
        networkCurrent = manager.create(network[1], shape);
        networkNext = hasNext ? manager.create(network[2], shape) : null;
        lossPrevious = hasPrevious ? manager.create(loss[0], shape) : null;
        lossCurrent = manager.create(loss[1], shape);
        lossNext = hasNext ? manager.create(loss[2], shape) : null;
        k = IntrinsicsMatrix.of(manager, cameras);
        invK = IntrinsicsMatrix.inverseOf(manager, cameras);
        semantic = java.util.Collections.unmodifiableList(maps);
    }
}
