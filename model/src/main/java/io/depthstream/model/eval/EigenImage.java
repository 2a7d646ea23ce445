package io.depthstream.model.eval;

/**
 * One image's Eigen evaluation.
 *
 * @param metrics its seven metrics
 * @param ratio the factor its prediction was scaled by: the fixed factor times, with median scaling, its
 *     median(gt)/median(pred)
 */
public record EigenImage(DepthMetrics metrics, double ratio) {
}
