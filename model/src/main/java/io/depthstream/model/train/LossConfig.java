package io.depthstream.model.train;

import io.depthstream.model.geometry.DisparityToDepth;
import io.depthstream.model.loss.BoundarySource;
import io.depthstream.model.loss.DepthBoundaryConfig;
import io.depthstream.model.loss.DifferentialTripletConfig;
import io.depthstream.model.loss.IsolatedTripletConfig;
import io.depthstream.model.loss.PhotometricLossConfig;
import io.depthstream.model.loss.PretextDistillationConfig;
import io.depthstream.model.loss.SemanticTripletConfig;

import java.io.Serializable;

/**
 * The whole self-supervised objective's settings: the photometric loss, which optional terms join it (each a
 * nullable sub-configuration, null = off) and where the triplet terms' boundaries come from. Training and the
 * {@code loss} command both build their objective from it. A further optional term joins the same way: one more
 * nullable component with its {@code with…} method, built and added to the total by {@link SelfSupervisedObjective}.
 *
 * @param photometric the photometric and smoothness terms (always on)
 * @param semanticTriplet FSRE's semantics-guided triplet term, or null
 * @param isolatedTriplet the edge-fattening paper's redesigned (hardest-negative, split) triplet term, or null
 * @param boundarySource which labels decide positives and negatives of the triplet terms
 * @param depthBoundaries settings of the label-free depth-derived boundaries (used by {@link BoundarySource#DEPTH}
 *     and {@link BoundarySource#SEMANTIC_OR_DEPTH})
 * @param differentialTriplet MetricDepth's depth-differential triplet term on the decoder features, or null; it
 *     labels its pairs by depth, not by the boundary source
 * @param pretext TripleDNet's depth-to-grayscale pretext distillation, or null; its head is trained with the run,
 *     so only {@link TrainingStep} can compute it (an objective built from this alone refuses it)
 */
public record LossConfig(
        PhotometricLossConfig photometric,
        SemanticTripletConfig semanticTriplet,
        IsolatedTripletConfig isolatedTriplet,
        BoundarySource boundarySource,
        DepthBoundaryConfig depthBoundaries,
        DifferentialTripletConfig differentialTriplet,
        PretextDistillationConfig pretext) implements Serializable {

    public LossConfig {
        if (photometric == null || boundarySource == null || depthBoundaries == null) {
            throw new IllegalArgumentException("photometric settings, boundary source and depth-boundary settings are"
                    + " required");
        }
    }

    /** Monodepth2's objective alone; triplet terms off, boundaries semantic where given, depth-derived otherwise. */
    public static LossConfig monodepth2() {
        return of(PhotometricLossConfig.monodepth2());
    }

    /** The given photometric settings and no further term. */
    public static LossConfig of(PhotometricLossConfig photometric) {
        return new LossConfig(photometric, null, null, BoundarySource.SEMANTIC_OR_DEPTH,
                DepthBoundaryConfig.defaults(), null, null);
    }

    /** Whether any triplet term is on. */
    public boolean hasTriplet() {
        return hasBoundaryTriplet() || differentialTriplet != null;
    }

    /** Whether a triplet term that needs boundary labels (FSRE's or the isolated one) is on. */
    public boolean hasBoundaryTriplet() {
        return semanticTriplet != null || isolatedTriplet != null;
    }

    /** This configuration with other photometric settings. */
    public LossConfig withPhotometric(PhotometricLossConfig settings) {
        return new LossConfig(settings, semanticTriplet, isolatedTriplet, boundarySource, depthBoundaries,
                differentialTriplet, pretext);
    }

    /** This configuration with the photometric loss using a model's depth range. */
    public LossConfig withDepthRange(DisparityToDepth range) {
        return withPhotometric(photometric.withDepthRange(range));
    }

    /** This configuration with FSRE's triplet term set (null turns it off). */
    public LossConfig withSemanticTriplet(SemanticTripletConfig settings) {
        return new LossConfig(photometric, settings, isolatedTriplet, boundarySource, depthBoundaries,
                differentialTriplet, pretext);
    }

    /** This configuration with the isolated triplet term set (null turns it off). */
    public LossConfig withIsolatedTriplet(IsolatedTripletConfig settings) {
        return new LossConfig(photometric, semanticTriplet, settings, boundarySource, depthBoundaries,
                differentialTriplet, pretext);
    }

    /** This configuration with every triplet term off. */
    public LossConfig withoutTriplet() {
        return new LossConfig(photometric, null, null, boundarySource, depthBoundaries, null, pretext);
    }

    /** This configuration with another boundary source. */
    public LossConfig withBoundarySource(BoundarySource source) {
        return new LossConfig(photometric, semanticTriplet, isolatedTriplet, source, depthBoundaries,
                differentialTriplet, pretext);
    }

    /** This configuration with other depth-boundary settings. */
    public LossConfig withDepthBoundaries(DepthBoundaryConfig settings) {
        return new LossConfig(photometric, semanticTriplet, isolatedTriplet, boundarySource, settings,
                differentialTriplet, pretext);
    }

    /** This configuration with the depth-differential triplet term set (null turns it off). */
    public LossConfig withDifferentialTriplet(DifferentialTripletConfig settings) {
        return new LossConfig(photometric, semanticTriplet, isolatedTriplet, boundarySource, depthBoundaries,
                settings, pretext);
    }

    /** This configuration with the depth-to-grayscale pretext term set (null turns it off). */
    public LossConfig withPretext(PretextDistillationConfig settings) {
        return new LossConfig(photometric, semanticTriplet, isolatedTriplet, boundarySource, depthBoundaries,
                differentialTriplet, settings);
    }
}
