package io.depthstream.model.eval;

/**
 * The seven KITTI depth metrics of one image (or their mean over images).
 *
 * @param absRel mean |gt − pred| / gt
 * @param sqRel mean (gt − pred)² / gt
 * @param rmse √mean (gt − pred)²
 * @param rmseLog √mean (ln gt − ln pred)²
 * @param delta1 fraction with max(gt/pred, pred/gt) &lt; 1.25
 * @param delta2 the same below 1.25²
 * @param delta3 the same below 1.25³
 */
public record DepthMetrics(double absRel, double sqRel, double rmse, double rmseLog,
        double delta1, double delta2, double delta3) {

    /**
     * The metrics of paired ground-truth and predicted depths (both positive; the caller has masked and clamped).
     *
     * @throws IllegalArgumentException when the arrays differ in length or are empty
     */
    public static DepthMetrics of(double[] gt, double[] pred) {
        if (gt.length != pred.length) {
            throw new IllegalArgumentException("ground truth has " + gt.length + " values, prediction " + pred.length);
        }
        if (gt.length == 0) {
            throw new IllegalArgumentException("no depths to compare");
        }
        double absRel = 0;
        double sqRel = 0;
        double squared = 0;
        double squaredLog = 0;
        int a1 = 0;
        int a2 = 0;
        int a3 = 0;
        for (int i = 0; i < gt.length; i++) {
            double g = gt[i];
            double p = pred[i];
            double diff = g - p;
            absRel += Math.abs(diff) / g;
            sqRel += diff * diff / g;
            squared += diff * diff;
            double logDiff = Math.log(g) - Math.log(p);
            squaredLog += logDiff * logDiff;
            double ratio = Math.max(g / p, p / g);
            if (ratio < 1.25) {
                a1++;
            }
            if (ratio < 1.25 * 1.25) {
                a2++;
            }
            if (ratio < 1.25 * 1.25 * 1.25) {
                a3++;
            }
        }
        double n = gt.length;
        return new DepthMetrics(absRel / n, sqRel / n, Math.sqrt(squared / n), Math.sqrt(squaredLog / n),
                a1 / n, a2 / n, a3 / n);
    }

    /** The metrics in the order KITTI tables print them. */
    public double[] toArray() {
        return new double[] {absRel, sqRel, rmse, rmseLog, delta1, delta2, delta3};
    }

    @Override
    public String toString() {
        return String.format("abs_rel %.4f  sq_rel %.4f  rmse %.4f  rmse_log %.4f  d1 %.4f  d2 %.4f  d3 %.4f",
                absRel, sqRel, rmse, rmseLog, delta1, delta2, delta3);
    }
}
