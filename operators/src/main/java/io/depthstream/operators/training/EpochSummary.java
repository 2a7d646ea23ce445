package io.depthstream.operators.training;

/**
 * What the learner reports when an epoch ends.
 *
 * @param epoch the epoch that ended, 1-based
 * @param step steps taken so far in the run
 * @param trainLoss mean training loss of the epoch's steps (NaN when it took none)
 * @param validationLoss mean validation loss after the epoch (NaN without validation)
 * @param absRel Eigen abs_rel on the validation lines with velodyne ground truth (NaN without any)
 * @param a1 Eigen δ &lt; 1.25 on the same lines (NaN without any)
 * @param imagesPerSecond training triplets per second over the epoch, waiting for data included
 * @param skipped lines of the epoch that could not be used
 * @param best whether these weights became {@code weights/best}
 */
public record EpochSummary(int epoch, long step, double trainLoss, double validationLoss, double absRel, double a1,
                           double imagesPerSecond, int skipped, boolean best) {}
