package io.depthstream.model.online;

/**
 * The regression guard's verdict on a candidate, both losses measured on the same held-out triplets.
 *
 * @param step training steps taken when it was judged
 * @param accepted whether the candidate became the serving version (the caller publishes it)
 * @param candidateLoss mean held-out photometric + smoothness loss of the candidate
 * @param servingLoss the same of the serving version, re-measured on the same triplets
 * @param tolerance the relative regression allowed
 * @param heldOutSamples triplets both were measured on
 */
public record CandidateDecision(long step, boolean accepted, double candidateLoss, double servingLoss,
        double tolerance, int heldOutSamples) {

    /** The largest candidate loss that passes: {@code servingLoss · (1 + tolerance)}. */
    public double threshold() {
        return servingLoss * (1 + tolerance);
    }
}
