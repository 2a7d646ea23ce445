package io.depthstream.model.loss;

import java.io.Serializable;
import java.util.List;

/**
 * Settings of the depth-differential triplet loss (MetricDepth's differential-based sample identification with the
 * multi-range or, as one open-ended range, the uniform strategy).
 *
 * @param reference ground truth (metric thresholds) or the model's own median-normalised depth (relative ones)
 * @param positiveThreshold r_p: a sample with D_r &lt; r_p is a positive
 * @param negativeRanges negatives by depth-differential range, ascending and not overlapping, each with its margin
 * @param withinSamples N_within: rolled sample maps from the same image
 * @param acrossSamples N_across: sample maps from other images of the batch
 * @param scales decoder feature scales the loss regularises (1..3); scale s enters the total with weight 1/2^s
 * @param reduction raw sum (Eq. 13 as written) or mean over labelled pairs, per scale
 * @param weight factor on the total, as it enters the training objective
 */
public record DifferentialTripletConfig(
        DepthReference reference,
        double positiveThreshold,
        List<NegativeRange> negativeRanges,
        int withinSamples,
        int acrossSamples,
        List<Integer> scales,
        DifferentialReduction reduction,
        double weight) implements Serializable {

    /** MetricDepth's sample counts: 10 rolls within the image, 4 maps across the batch. */
    public static final int METRIC_DEPTH_WITHIN = 10;
    /** See {@link #METRIC_DEPTH_WITHIN}. */
    public static final int METRIC_DEPTH_ACROSS = 4;
    /** The decoder scales regularised by default, coarse to fine. */
    public static final List<Integer> DECODER_SCALES = List.of(3, 2, 1);

    public DifferentialTripletConfig {
        if (reference == null || reduction == null) {
            throw new IllegalArgumentException("reference and reduction are required");
        }
        if (!(positiveThreshold > 0) || Double.isInfinite(positiveThreshold)) {
            throw new IllegalArgumentException("positiveThreshold must be positive and finite, got " + positiveThreshold);
        }
        negativeRanges = List.copyOf(negativeRanges);
        if (negativeRanges.isEmpty()) {
            throw new IllegalArgumentException("at least one negative range is required");
        }
        double previousHigh = positiveThreshold;
        for (NegativeRange range : negativeRanges) {
            // a pair must never be a positive and a negative, or a negative of two ranges, at once
            if (range.low() < previousHigh) {
                throw new IllegalArgumentException("negative ranges must ascend without overlap and start at or above "
                        + "positiveThreshold " + positiveThreshold + ": " + negativeRanges);
            }
            previousHigh = range.high();
        }
        if (withinSamples < 0 || acrossSamples < 0 || withinSamples + acrossSamples == 0) {
            throw new IllegalArgumentException("sample counts must be >= 0 and not both 0, got "
                    + withinSamples + " within, " + acrossSamples + " across");
        }
        scales = List.copyOf(scales);
        if (scales.isEmpty() || scales.stream().anyMatch(s -> s < 1 || s > 3) || scales.stream().distinct().count() != scales.size()) {
            throw new IllegalArgumentException("scales must be distinct decoder scales in 1..3, got " + scales);
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be finite and >= 0, got " + weight);
        }
    }

    /**
     * MetricDepth's best NYU multi-range setting (Table VI / LT): ground truth, r_p 0.1 m, ranges 0.5–1, 1–1.5,
     * 1.5–2 m with margins 3, 6, 8, 10 + 4 samples, and no weight (Eq. 14 adds L_re as is).
     */
    public static DifferentialTripletConfig metricDepthNyu() {
        return new DifferentialTripletConfig(DepthReference.GROUND_TRUTH, 0.1,
                List.of(new NegativeRange(0.5, 1, 3), new NegativeRange(1, 1.5, 6), new NegativeRange(1.5, 2, 8)),
                METRIC_DEPTH_WITHIN, METRIC_DEPTH_ACROSS, DECODER_SCALES, DifferentialReduction.LABELLED_MEAN, 1);
    }

    /** MetricDepth's KITTI setting for its light UNet (Table II, LT): r_p 0.1 m, 1–5, 5–10, 10–15 m, margins 2, 3, 3.5. */
    public static DifferentialTripletConfig metricDepthKitti() {
        return new DifferentialTripletConfig(DepthReference.GROUND_TRUTH, 0.1,
                List.of(new NegativeRange(1, 5, 2), new NegativeRange(5, 10, 3), new NegativeRange(10, 15, 3.5)),
                METRIC_DEPTH_WITHIN, METRIC_DEPTH_ACROSS, DECODER_SCALES, DifferentialReduction.LABELLED_MEAN, 1);
    }

    /**
     * A self-supervised starting point, not validated by training: the KITTI LT setting with metres divided by
     * 12.5 m (a typical KITTI median depth) so that it applies to median-normalised predicted depth, weighted 0.1
     * like the semantic triplet losses.
     */
    public static DifferentialTripletConfig selfSupervised() {
        return new DifferentialTripletConfig(DepthReference.PREDICTED, 0.008,
                List.of(new NegativeRange(0.08, 0.4, 2), new NegativeRange(0.4, 0.8, 3), new NegativeRange(0.8, 1.2, 3.5)),
                METRIC_DEPTH_WITHIN, METRIC_DEPTH_ACROSS, DECODER_SCALES, DifferentialReduction.LABELLED_MEAN, 0.1);
    }

    /** MetricDepth's uniform strategy (Eqs. 8–9): every sample with D_r &gt; r_n is a negative with margin m_u. */
    public static DifferentialTripletConfig uniform(DepthReference reference, double positiveThreshold,
                                                    double negativeThreshold, double margin) {
        return new DifferentialTripletConfig(reference, positiveThreshold,
                List.of(new NegativeRange(negativeThreshold, Double.POSITIVE_INFINITY, margin)),
                METRIC_DEPTH_WITHIN, METRIC_DEPTH_ACROSS, DECODER_SCALES, DifferentialReduction.LABELLED_MEAN, 1);
    }

    /** This configuration with another depth reference. */
    public DifferentialTripletConfig withReference(DepthReference value) {
        return new DifferentialTripletConfig(value, positiveThreshold, negativeRanges, withinSamples, acrossSamples,
                scales, reduction, weight);
    }

    /** This configuration with other sample counts. */
    public DifferentialTripletConfig withSamples(int within, int across) {
        return new DifferentialTripletConfig(reference, positiveThreshold, negativeRanges, within, across,
                scales, reduction, weight);
    }

    /** This configuration on other decoder scales. */
    public DifferentialTripletConfig withScales(List<Integer> value) {
        return new DifferentialTripletConfig(reference, positiveThreshold, negativeRanges, withinSamples, acrossSamples,
                value, reduction, weight);
    }

    /** This configuration with another reduction. */
    public DifferentialTripletConfig withReduction(DifferentialReduction value) {
        return new DifferentialTripletConfig(reference, positiveThreshold, negativeRanges, withinSamples, acrossSamples,
                scales, value, weight);
    }

    /** This configuration with another weight. */
    public DifferentialTripletConfig withWeight(double value) {
        return new DifferentialTripletConfig(reference, positiveThreshold, negativeRanges, withinSamples, acrossSamples,
                scales, reduction, value);
    }
}
