package io.depthstream.pipeline.config;

import io.depthstream.model.loss.DepthDifferentialTripletLoss;
import io.depthstream.model.loss.DifferentialTripletConfig;
import io.depthstream.model.loss.IsolatedTripletConfig;
import io.depthstream.model.loss.IsolatedTripletLoss;
import io.depthstream.model.loss.SemanticGuidedTripletLoss;
import io.depthstream.model.loss.SemanticTripletConfig;
import io.depthstream.model.train.LossConfig;

import java.util.function.UnaryOperator;

/** The triplet term a command adds to the objective, as named on the command line ({@code --triplet}). */
public enum TripletChoice {
    /** No triplet term. */
    NONE("none", null, LossConfig::withoutTriplet),
    /** FSRE's semantics-guided triplet loss with the paper's settings. */
    FSRE("fsre", SemanticGuidedTripletLoss.NAME, config -> config.withoutTriplet().withSemanticTriplet(SemanticTripletConfig.fsre())),
    /** The edge-fattening paper's hardest-negative, split triplet loss with its reference settings. */
    ISOLATED("isolated", IsolatedTripletLoss.NAME,
            config -> config.withoutTriplet().withIsolatedTriplet(IsolatedTripletConfig.edgeFattening())),
    /** MetricDepth's depth-differential triplet loss, labelled by the model's own median-normalised depth. */
    DIFFERENTIAL("differential", DepthDifferentialTripletLoss.NAME,
            config -> config.withoutTriplet().withDifferentialTriplet(DifferentialTripletConfig.selfSupervised()));

    private final String label;
    private final String term;
    private final UnaryOperator<LossConfig> apply;

    TripletChoice(String label, String term, UnaryOperator<LossConfig> apply) {
        this.label = label;
        this.term = term;
        this.apply = apply;
    }

    /** The name of the term in the objective's parts, or null for {@link #NONE}. */
    public String term() {
        return term;
    }

    /** The name on the command line. */
    public String label() {
        return label;
    }

    /** {@code config} with this choice's triplet term as its only one. */
    public LossConfig applyTo(LossConfig config) {
        return apply.apply(config);
    }

    /** The choice named {@code label}. */
    public static TripletChoice parse(String label) {
        for (TripletChoice choice : values()) {
            if (choice.label.equals(label)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("unknown triplet loss '" + label + "' (expected " + labels() + ")");
    }

    /** All names, separated by '|'. */
    public static String labels() {
        StringBuilder names = new StringBuilder();
        for (TripletChoice choice : values()) {
            names.append(names.length() == 0 ? "" : "|").append(choice.label);
        }
        return names.toString();
    }
}
