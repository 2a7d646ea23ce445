package io.depthstream.model.eval;

import io.depthstream.model.data.BilinearResizer;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.geometry.DisparityToDepth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The KITTI Eigen depth evaluation as the community's published numbers were computed: the network's scaled
 * disparity is resized bilinearly (half-pixel centres) to the ground-truth size and inverted to depth; pixels count
 * where the ground truth lies in (1e-3, 80) m inside the Garg crop; the prediction is multiplied by a fixed factor
 * and, for monocular models, by the per-image ratio median(gt)/median(pred); it is clamped to [1e-3, 80]; metrics
 * are taken per image and averaged over images.
 *
 * <p>Accumulates images; safe to feed from several threads.
 */
public final class EigenEvaluator {

    /** Ground truth at or below this is no measurement; predictions are clamped up to it. */
    public static final float MIN_DEPTH = 1e-3f;
    /** The Eigen protocol's depth cap, metres. */
    public static final float MAX_DEPTH = 80f;

    private final double scaleFactor;
    private final boolean medianScaling;
    private final DepthMetricsMean mean = new DepthMetricsMean();
    private final List<Double> ratios = new ArrayList<>();

    private EigenEvaluator(double scaleFactor, boolean medianScaling) {
        if (!(scaleFactor > 0) || Double.isInfinite(scaleFactor)) {
            throw new IllegalArgumentException("scale factor must be positive and finite, got " + scaleFactor);
        }
        this.scaleFactor = scaleFactor;
        this.medianScaling = medianScaling;
    }

    /** For monocular models: per-image median scaling. */
    public static EigenEvaluator medianScaling() {
        return new EigenEvaluator(1.0, true);
    }

    /** For models with metric scale: every prediction multiplied by {@code factor} (e.g. 5.4 for stereo-trained ones). */
    public static EigenEvaluator fixedScale(double factor) {
        return new EigenEvaluator(factor, false);
    }

    /**
     * The scaled disparity (1/depth) of a sigmoid output under {@code range}, element-wise, in float as the
     * prediction is exported.
     */
    public static float[] scaledDisparity(float[] sigmoid, DisparityToDepth range) {
        float minDisp = (float) (1.0 / range.maxDepth());
        float maxDisp = (float) (1.0 / range.minDepth());
        float[] disp = new float[sigmoid.length];
        for (int i = 0; i < sigmoid.length; i++) {
            disp[i] = minDisp + (maxDisp - minDisp) * sigmoid[i];
        }
        return disp;
    }

    /** Depth of a sigmoid output under {@code range}: 1 / scaled disparity. */
    public static float[] depth(float[] sigmoid, DisparityToDepth range) {
        float[] depth = scaledDisparity(sigmoid, range);
        for (int i = 0; i < depth.length; i++) {
            depth[i] = 1f / depth[i];
        }
        return depth;
    }

    /** Which ground-truth pixels are evaluated: inside the Garg crop and in (1e-3, 80) m. */
    public static boolean[] evaluationMask(DepthMap groundTruth) {
        GargCrop crop = GargCrop.of(groundTruth.width(), groundTruth.height());
        boolean[] mask = new boolean[groundTruth.width() * groundTruth.height()];
        for (int y = crop.top(); y < crop.bottom(); y++) {
            for (int x = crop.left(); x < crop.right(); x++) {
                float g = groundTruth.get(x, y);
                mask[y * groundTruth.width() + x] = g > MIN_DEPTH && g < MAX_DEPTH;
            }
        }
        return mask;
    }

    /**
     * Evaluates one image and adds it to the mean.
     *
     * @param scaledDisparity the network's scaled disparity at its own resolution, row-major {@code height×width}
     * @param groundTruth the image's ground truth (e.g. from {@code VelodyneGroundTruth}), any size
     * @return this image's metrics
     * @throws IllegalArgumentException when no ground-truth pixel is evaluated or a disparity there is not positive
     */
    public DepthMetrics add(float[] scaledDisparity, int width, int height, DepthMap groundTruth) {
        return addImage(scaledDisparity, width, height, groundTruth).metrics();
    }

    /**
     * As {@link #add}, also returning the factor this image's prediction was scaled by (for per-image reports).
     *
     * @throws IllegalArgumentException when no ground-truth pixel is evaluated or a disparity there is not positive
     */
    public EigenImage addImage(float[] scaledDisparity, int width, int height, DepthMap groundTruth) {
        int gtWidth = groundTruth.width();
        int gtHeight = groundTruth.height();
        float[] disp = BilinearResizer.resize(scaledDisparity, width, height, gtWidth, gtHeight);
        boolean[] mask = evaluationMask(groundTruth);
        int count = 0;
        for (boolean valid : mask) {
            if (valid) {
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("no ground-truth depth in (" + MIN_DEPTH + ", " + MAX_DEPTH
                    + ") m inside the evaluation crop of this " + gtWidth + "x" + gtHeight + " map");
        }
        double[] gt = new double[count];
        double[] pred = new double[count];
        int k = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                if (!(disp[i] > 0) || Float.isInfinite(disp[i])) {
                    throw new IllegalArgumentException("disparity must be positive and finite; resized value at pixel ("
                            + i % gtWidth + ", " + i / gtWidth + ") is " + disp[i]);
                }
                gt[k] = groundTruth.depth()[i];
                pred[k] = (1f / disp[i]) * scaleFactor;
                k++;
            }
        }
        double ratio = scaleFactor;
        if (medianScaling) {
            double medianRatio = median(gt) / median(pred);
            for (int i = 0; i < pred.length; i++) {
                pred[i] *= medianRatio;
            }
            ratio *= medianRatio;
        }
        for (int i = 0; i < pred.length; i++) {
            pred[i] = Math.min(MAX_DEPTH, Math.max(MIN_DEPTH, pred[i]));
        }
        DepthMetrics metrics = DepthMetrics.of(gt, pred);
        synchronized (this) {
            mean.add(metrics);
            ratios.add(ratio);
        }
        return new EigenImage(metrics, ratio);
    }

    /**
     * The mean metrics and scaling-ratio statistics of the images added so far.
     *
     * @throws IllegalStateException when no image was added
     */
    public synchronized EigenReport report() {
        DepthMetrics metrics = mean.mean();
        double[] values = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        double med = median(values);
        double sum = 0;
        for (double v : values) {
            sum += v / med;
        }
        double mu = sum / values.length;
        double var = 0;
        for (double v : values) {
            var += (v / med - mu) * (v / med - mu);
        }
        return new EigenReport(metrics, values.length, med, Math.sqrt(var / values.length));
    }

    /** The median, averaging the two middle values of an even count (NumPy's convention). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
