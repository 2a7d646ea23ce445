package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

import java.util.Map;

/**
 * The redesigned triplet loss of "Self-supervised monocular depth estimation: solving the edge-fattening problem":
 * per boundary anchor, d− is the distance to the hardest (nearest) negative of the patch, and the anchor–positive
 * and anchor–negative terms are optimised in isolation, L_i = d+(i) + max(0, m_iso − d−(i)); each redesign can be
 * switched back (mean over negatives; joint form max(0, m + d+ − d−)). The mean over boundary anchors per scale
 * enters the objective as weight · Σ_s L(s) / 2^s. Patches, distances and the boundary test are those of
 * {@link PatchDistances}.
 */
public final class IsolatedTripletLoss {

    /** The part's name in the objective. */
    public static final String NAME = "triplet_isolated";

    private final IsolatedTripletConfig config;

    /** A loss with these settings. */
    public IsolatedTripletLoss(IsolatedTripletConfig config) {
        this.config = config;
    }

    /** The settings. */
    public IsolatedTripletConfig config() {
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
        double isolationMargin = config.isolationMargin();
        return PatchTripletTerms.compute(NAME, features, labels, config.scales(), config.sampling(),
                config.hardestNegative(), config.weight(), config.split()
                        ? d -> d.positive().add(Activation.relu(d.negative().neg().add(isolationMargin)))
                        : d -> Activation.relu(d.positive().sub(d.negative()).add(margin)));
    }
}
