package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.depthstream.model.geometry.PoseMatrix;
import io.depthstream.model.loss.BoundaryLabels;
import io.depthstream.model.loss.BoundarySource;
import io.depthstream.model.loss.DepthDifferentialTripletLoss;
import io.depthstream.model.loss.DepthReference;
import io.depthstream.model.loss.DepthBoundaryLabels;
import io.depthstream.model.loss.DifferentialTripletResult;
import io.depthstream.model.loss.FallbackBoundaryLabels;
import io.depthstream.model.loss.IsolatedTripletLoss;
import io.depthstream.model.loss.LossTerms;
import io.depthstream.model.loss.PhotometricLoss;
import io.depthstream.model.loss.PhotometricLossInput;
import io.depthstream.model.loss.PhotometricLossResult;
import io.depthstream.model.loss.PretextDistillationLoss;
import io.depthstream.model.loss.SemanticBoundaryLabels;
import io.depthstream.model.loss.SemanticGuidedTripletLoss;
import io.depthstream.model.loss.SourceView;
import io.depthstream.model.loss.TripletLossResult;
import io.depthstream.model.loss.TripletScaleTerm;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthOutput;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * The forward pass of self-supervised training: depth of the centre frame, pose of the pairs [t−1, t] and
 * [t, t+1], the photometric objective on them, the enabled triplet terms on the depth decoder's features and, in
 * a training run, the pretext distillation term. Training and the {@code loss} command share it, so the loss a user
 * inspects is the loss the learner optimises.
 */
public final class SelfSupervisedObjective {

    /** Key of the differential triplet rolls' stream in {@link DerivedSeed}. */
    private static final long DIFFERENTIAL_ROLLS = 1;

    private final LossConfig config;
    private final PhotometricLoss loss;
    private final SemanticGuidedTripletLoss semanticTriplet;
    private final IsolatedTripletLoss isolatedTriplet;
    private final DepthDifferentialTripletLoss differentialTriplet;
    private final PretextDistillationLoss pretext;

    /**
     * An objective computing {@code config}'s terms; {@code noise} draws the auto-mask's tie-break noise and seeds
     * the differential triplet term's sample rolls (seed it for reproducible numbers).
     *
     * @throws IllegalArgumentException when {@code config} has the pretext term: its head is trained with a run
     *     (see {@link TrainingStep}), and an untrained head's loss says nothing about the depth
     */
    public SelfSupervisedObjective(LossConfig config, Random noise) {
        this(config, noise, null);
    }

    /**
     * An objective computing {@code config}'s terms, the pretext term with {@code pretext}'s head.
     *
     * @param pretext the pretext loss with its initialised head when {@code config.pretext()} is set, else null
     */
    public SelfSupervisedObjective(LossConfig config, Random noise, PretextDistillationLoss pretext) {
        if (config.pretext() == null && pretext != null) {
            throw new IllegalArgumentException("a pretext loss was given but the loss configuration has no pretext term");
        }
        if (config.pretext() != null && pretext == null) {
            throw new IllegalArgumentException("the pretext term needs the pretext head of a training run (TrainingStep"
                    + " creates and trains it); an objective without one cannot compute it");
        }
        if (pretext != null && !pretext.config().equals(config.pretext())) {
            throw new IllegalArgumentException("the pretext loss's settings " + pretext.config()
                    + " differ from the loss configuration's " + config.pretext());
        }
        if (config.differentialTriplet() != null
                && config.differentialTriplet().reference() != DepthReference.PREDICTED) {
            throw new IllegalArgumentException("the self-supervised objective has no ground-truth depth: the"
                    + " differential triplet term needs reference " + DepthReference.PREDICTED + ", got "
                    + config.differentialTriplet().reference());
        }
        this.config = config;
        this.loss = new PhotometricLoss(config.photometric(), noise);
        this.semanticTriplet = config.semanticTriplet() == null ? null
                : new SemanticGuidedTripletLoss(config.semanticTriplet());
        this.isolatedTriplet = config.isolatedTriplet() == null ? null
                : new IsolatedTripletLoss(config.isolatedTriplet());
        // a generator of its own, so the rolls do not depend on how much noise the auto-mask drew before
        this.differentialTriplet = config.differentialTriplet() == null ? null
                : new DepthDifferentialTripletLoss(config.differentialTriplet(), new Random(noise.nextLong()));
        this.pretext = pretext;
    }

    /** An objective of the photometric loss alone. */
    public SelfSupervisedObjective(PhotometricLoss loss) {
        this.config = LossConfig.of(loss.config());
        this.loss = loss;
        this.semanticTriplet = null;
        this.isolatedTriplet = null;
        this.differentialTriplet = null;
        this.pretext = null;
    }

    /**
     * Restarts all its randomness (the auto-mask's tie-break noise, the differential triplet term's rolls) as a
     * pure function of {@code seed}: evaluations after {@code reseed(s)} draw the same numbers whatever was drawn
     * before, which lets a resumed training run repeat the uninterrupted run's steps. The noise generator given at
     * construction is reseeded.
     */
    public void reseed(long seed) {
        loss.reseed(seed);
        if (differentialTriplet != null) {
            // separate streams, as at construction: the rolls must not depend on how much noise the mask drew
            differentialTriplet.reseed(DerivedSeed.of(seed, DIFFERENTIAL_ROLLS));
        }
    }

    /** The photometric loss it computes. */
    public PhotometricLoss loss() {
        return loss;
    }

    /** All its settings. */
    public LossConfig config() {
        return config;
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
     * Runs the networks and the losses on a batch whose arrays live in the current step's manager.
     *
     * @param training batch-norm in training mode (batch statistics, running averages updated)
     */
    ObjectiveResult evaluate(DepthModel model, TripletBatch batch, boolean training) {
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
        PhotometricLossResult photometric = loss.compute(new PhotometricLossInput(
                batch.lossCurrent, previous, next, depth.disparities(), batch.k, batch.invK));
        LossTerms terms = photometric.terms();
        List<TripletLossResult> triplets = new ArrayList<>(3);
        if (semanticTriplet != null || isolatedTriplet != null) {
            Map<Integer, NDArray> features = new HashMap<>();
            for (int s = 1; s <= depth.features().size(); s++) {
                features.put(s, depth.feature(s));
            }
            BoundaryLabels labels = boundaryLabels(batch, depth);
            if (semanticTriplet != null) {
                triplets.add(semanticTriplet.compute(features, labels));
            }
            if (isolatedTriplet != null) {
                triplets.add(isolatedTriplet.compute(features, labels));
            }
        }
        if (differentialTriplet != null) {
            triplets.add(differential(depth));
        }
        for (TripletLossResult triplet : triplets) {
            terms = terms.plus(triplet.name(), triplet.total());
        }
        if (pretext != null) {
            terms = terms.plus(PretextDistillationLoss.NAME,
                    pretext.compute(depth.disparities().get(0), batch.lossCurrent, training).weighted());
        }
        return new ObjectiveResult(terms, photometric, triplets);
    }

    /**
     * The depth-differential term against the model's own scale-0 depth (stop-gradient: the labels are not
     * optimised), reported like the patch terms with the labelled pairs as each scale's count.
     */
    private TripletLossResult differential(DepthOutput depth) {
        NDArray reference = config.photometric().depthRange().depth(depth.disparities().get(0).stopGradient());
        DifferentialTripletResult result = differentialTriplet.compute(depth, reference);
        List<Integer> scales = differentialTriplet.config().scales();
        List<TripletScaleTerm> perScale = new ArrayList<>(scales.size());
        for (int k = 0; k < scales.size(); k++) {
            NDArray labelled = result.positives().get(k).add(result.negatives().get(k).sum());
            perScale.add(new TripletScaleTerm(scales.get(k), result.perScale().get(k), labelled));
        }
        return new TripletLossResult(DepthDifferentialTripletLoss.NAME, result.total(), perScale);
    }

    /** The configured boundary source for this batch; depth-derived labels read the disparities back once. */
    private BoundaryLabels boundaryLabels(TripletBatch batch, DepthOutput depth) {
        SemanticBoundaryLabels semantic = new SemanticBoundaryLabels(batch.semantic);
        BoundarySource source = config.boundarySource();
        boolean allSemantic = batch.semantic.stream().allMatch(Objects::nonNull);
        if (source == BoundarySource.SEMANTIC || (source == BoundarySource.SEMANTIC_OR_DEPTH && allSemantic)) {
            return semantic;
        }
        NDArray disparity = depth.disparities().get(0);
        Shape shape = disparity.getShape();
        float[] values = disparity.stopGradient().toFloatArray();
        float[] image = batch.lossCurrent.toFloatArray();
        DepthBoundaryLabels derived = new DepthBoundaryLabels(values, image, (int) shape.get(0), (int) shape.get(2),
                (int) shape.get(3), config.photometric().depthRange(), config.depthBoundaries());
        return source == BoundarySource.DEPTH ? derived : new FallbackBoundaryLabels(semantic, derived);
    }
}
