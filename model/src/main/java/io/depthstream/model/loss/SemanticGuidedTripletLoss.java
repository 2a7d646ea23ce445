package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

import java.util.Map;

/**
 * FSRE's semantics-guided triplet loss (Jung et al., ICCV 2021, Eqs. 5–8): per boundary anchor i,
 * L_i = max(0, d+(i) − d−(i) + m) with d± the mean distances to the patch's positives and negatives; L_SGT is its
 * mean over boundary anchors; the objective adds δ · Σ_s L_SGT(s) / 2^s over the decoder feature scales.
 * Patches, distances and the boundary test are those of {@link PatchDistances}.
 */
public final class SemanticGuidedTripletLoss {

    /** The part's name in the objective. */
    public static final String NAME = "triplet_fsre";

    private final SemanticTripletConfig config;

    /** A loss with these settings. */
    public SemanticGuidedTripletLoss(SemanticTripletConfig config) {
        this.config = config;
    }

    /** The settings. */
    public SemanticTripletConfig config() {
        return config;
    }

    /**
     * The loss of a batch.
     *
     * @param features decoder features by scale s, each (N,C,H/2^s,W/2^s)
     * @param labels positives and negatives per frame; frames without labels add nothing
     */
    public TripletLossResult compute(Map<Integer, NDArray> features, BoundaryLabels labels) {
        double margin = config.margin();
        return PatchTripletTerms.compute(NAME, features, labels, config.scales(), config.sampling(), false,
                config.weight(), d -> Activation.relu(d.positive().sub(d.negative()).add(margin)));
    }
}
