package io.depthstream.pipeline.cli;

import io.depthstream.model.eval.EigenEvaluator;

import java.util.Locale;

/**
 * How predictions are brought to metric scale for evaluation: per-image median scaling (monocular models) or a
 * fixed factor (stereo-trained models, e.g. 5.4).
 *
 * @param factor the fixed factor, or {@code NaN} for median scaling
 */
public record EvalScale(double factor) {

    /** Per-image median scaling. */
    public static final EvalScale MEDIAN = new EvalScale(Double.NaN);

    public EvalScale {
        if (!Double.isNaN(factor) && !(factor > 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("scale factor must be positive and finite, got " + factor);
        }
    }

    /**
     * Parses {@code median} or a positive number.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static EvalScale parse(String value) {
        String trimmed = value.trim();
        if (trimmed.equalsIgnoreCase("median")) {
            return MEDIAN;
        }
        double factor;
        try {
            factor = Double.parseDouble(trimmed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected 'median' or a positive factor such as 5.4, got '" + value + "'");
        }
        if (Double.isNaN(factor)) {
            throw new IllegalArgumentException("expected 'median' or a positive factor such as 5.4, got '" + value + "'");
        }
        return new EvalScale(factor);
    }

    /** Whether predictions are median-scaled per image. */
    public boolean median() {
        return Double.isNaN(factor);
    }

    /** A fresh evaluator scaling this way. */
    public EigenEvaluator evaluator() {
        return median() ? EigenEvaluator.medianScaling() : EigenEvaluator.fixedScale(factor);
    }

    /** {@code "median"} or the factor as a number, for JSON reports. */
    public Object jsonValue() {
        return median() ? "median" : factor;
    }

    @Override
    public String toString() {
        return median() ? "median scaling" : String.format(Locale.ROOT, "fixed scale %s", factor);
    }
}
