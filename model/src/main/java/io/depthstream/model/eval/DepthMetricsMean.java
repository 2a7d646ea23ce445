package io.depthstream.model.eval;

/** Running mean of per-image {@link DepthMetrics}: the Eigen protocol averages per image, then over images. */
public final class DepthMetricsMean {

    private final double[] sums = new double[7];
    private int count;

    /** Adds one image's metrics. */
    public synchronized void add(DepthMetrics metrics) {
        double[] values = metrics.toArray();
        for (int i = 0; i < values.length; i++) {
            sums[i] += values[i];
        }
        count++;
    }

    /** Images added so far. */
    public synchronized int count() {
        return count;
    }

    /**
     * The mean over the images added.
     *
     * @throws IllegalStateException when none was added
     */
    public synchronized DepthMetrics mean() {
        if (count == 0) {
            throw new IllegalStateException("no image was evaluated");
        }
        return new DepthMetrics(sums[0] / count, sums[1] / count, sums[2] / count, sums[3] / count,
                sums[4] / count, sums[5] / count, sums[6] / count);
    }
}
