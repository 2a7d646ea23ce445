package io.depthstream.pipeline.embedded;

import java.util.Arrays;

/** Nearest-rank percentiles of a sample. */
public final class Percentiles {

    private Percentiles() {}

    /**
     * @param values the sample (not modified)
     * @param p percentile in (0, 100]
     * @return the smallest value with at least p% of the sample at or below it; NaN for an empty sample
     */
    public static double of(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
