package io.depthstream.model.online;

/**
 * The online learner's counters and latest losses.
 *
 * @param offered complete triplets offered (training and held-out)
 * @param incomplete triplets ignored for a missing neighbour
 * @param heldOut triplets routed to the held-out set
 * @param dropped triplets dropped unconsumed from the full training buffer
 * @param trained triplets consumed by training steps
 * @param steps steps whose update was applied
 * @param skipped steps skipped for a non-finite loss or gradient (each restored the last good weights)
 * @param lastLoss the training loss of the latest step (NaN before the first)
 * @param servingHeldOutLoss the serving version's held-out loss at the latest evaluation (NaN before the first)
 * @param candidateHeldOutLoss the latest candidate's held-out loss (NaN before the first evaluation)
 * @param published candidates accepted, each to be published as a new version
 * @param rejected candidates rejected by the regression guard
 */
public record OnlineMetrics(long offered, long incomplete, long heldOut, long dropped, long trained, long steps,
        long skipped, double lastLoss, double servingHeldOutLoss, double candidateHeldOutLoss, long published,
        long rejected) {}
