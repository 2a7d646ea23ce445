package io.depthstream.model.eval;

/**
 * The result of an Eigen evaluation.
 *
 * @param metrics the seven metrics, averaged over images
 * @param images how many images were evaluated
 * @param ratioMedian median over images of the factor the prediction was scaled by (the median-scaling ratio, or
 *     the fixed factor)
 * @param ratioStd population standard deviation of ratio / ratioMedian over images, the spread monodepth2 prints
 *     (0 with a fixed factor)
 */
public record EigenReport(DepthMetrics metrics, int images, double ratioMedian, double ratioStd) {

    @Override
    public String toString() {
        return images + " images  " + metrics + String.format("  scaling ratio median %.3f std %.3f", ratioMedian, ratioStd);
    }
}
