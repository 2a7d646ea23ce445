package io.depthstream.model.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.depthstream.model.geometry.PoseMatrix;
import io.depthstream.model.loss.PhotometricLoss;
import io.depthstream.model.loss.PhotometricLossInput;
import io.depthstream.model.loss.PhotometricLossResult;
import io.depthstream.model.loss.SourceView;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthOutput;

import java.util.Collections;
import java.util.List;

/**
 * The forward pass of self-supervised training: depth of the centre frame, pose of the pairs [t−1, t] and
 * [t, t+1], and the photometric objective on them. Training and the {@code loss} command share it, so the loss a
 * user inspects is the loss the learner optimises.
 */
public final class SelfSupervisedObjective {

    private final PhotometricLoss loss;

    /** An objective computing {@code loss}. */
    public SelfSupervisedObjective(PhotometricLoss loss) {
        this.loss = loss;
    }

    /** The loss it computes. */
    public PhotometricLoss loss() {
        return loss;
    }

    /**
     * The objective of samples as the served model sees them: no augmentation, batch-norm in inference mode, no
     * autograd graph; every tensor freed before returning.
     */
    public LossReport measure(DepthModel model, List<TrainingSample> samples) {
        if (JniUtils.isGradMode()) {
            JniUtils.setGradMode(false);
        }
        try (NDManager step = model.manager().newSubManager()) {
            List<Augmentation> none = Collections.nCopies(samples.size(), Augmentation.none());
            TripletBatch batch = new TripletBatch(step, samples, none, model.config().height(), model.config().width());
            return LossReport.of(evaluate(model, batch, false));
        }
    }

    /**
     * Runs the networks and the loss on a batch whose arrays live in the current step's manager.
     *
     * @param training batch-norm in training mode (batch statistics, running averages updated)
     */
    PhotometricLossResult evaluate(DepthModel model, TripletBatch batch, boolean training) {
        DepthOutput depth = model.depth(batch.networkCurrent, training);
        SourceView previous = null;
        SourceView next = null;
        if (batch.networkPrevious != null) {
            // the pose network sees pairs in temporal order; the t−1 motion is inverted to map t into t−1
            NDList motion = model.pose(batch.networkPrevious, batch.networkCurrent, training);
            previous = new SourceView(batch.lossPrevious, PoseMatrix.fromParameters(motion.get(0), motion.get(1), true));
        }
        if (batch.networkNext != null) {
            NDList motion = model.pose(batch.networkCurrent, batch.networkNext, training);
            next = new SourceView(batch.lossNext, PoseMatrix.fromParameters(motion.get(0), motion.get(1), false));
        }
        return loss.compute(new PhotometricLossInput(
                batch.lossCurrent, previous, next, depth.disparities(), batch.k, batch.invK));
    }
}
