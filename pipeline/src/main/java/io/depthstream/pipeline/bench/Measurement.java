package io.depthstream.pipeline.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Repeated throughput measurements of one configuration, summarised as median with min and max.
 *
 * @param name what was measured, e.g. {@code depth batch 4 (java)}
 * @param framesPerSecond one value per measured round (warm-up rounds excluded)
 */
public record Measurement(String name, List<Double> framesPerSecond) {

    public Measurement {
        framesPerSecond = List.copyOf(framesPerSecond);
        if (framesPerSecond.isEmpty()) {
            throw new IllegalArgumentException("no rounds measured for " + name);
        }
    }

    /** Median over rounds (mean of the middle two for an even count). */
    public double median() {
        double[] sorted = sorted();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Slowest round. */
    public double min() {
        return sorted()[0];
    }

    /** Fastest round. */
    public double max() {
        double[] sorted = sorted();
        return sorted[sorted.length - 1];
    }

    private double[] sorted() {
        double[] values = framesPerSecond.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(values);
        return values;
    }
}
