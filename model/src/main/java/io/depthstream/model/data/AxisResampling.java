package io.depthstream.model.data;

/**
 * Resampling weights along one image axis: output index d takes {@code weights[d][k]} of source index
 * {@code first[d] + k}. Separable 2-D resizing applies one per axis.
 */
final class AxisResampling {

    final int[] first;
    final double[][] weights;
    /** Most source indices any output index takes. */
    final int taps;
    /**
     * The weights padded with zeros to {@link #taps} per output index, flat: the same sums in the same order (adding
     * 0·p changes no double as long as p is finite, as bytes are) in loops of one fixed length.
     */
    final double[] paddedWeights;
    /** Source index of each padded weight; padding repeats a valid index. */
    final int[] paddedIndices;

    private AxisResampling(int[] first, double[][] weights) {
        this.first = first;
        this.weights = weights;
        int most = 1;
        for (double[] w : weights) {
            most = Math.max(most, w.length);
        }
        taps = most;
        paddedWeights = new double[first.length * taps];
        paddedIndices = new int[first.length * taps];
        for (int d = 0; d < first.length; d++) {
            for (int k = 0; k < taps; k++) {
                boolean real = k < weights[d].length;
                paddedWeights[d * taps + k] = real ? weights[d][k] : 0;
                paddedIndices[d * taps + k] = real ? first[d] + k : first[d];
            }
        }
    }

    /**
     * Linear interpolation with half-pixel centres, as OpenCV's INTER_LINEAR and PyTorch's bilinear with
     * align_corners=False: source position (d + 0.5)·src/dst − 0.5, clamped to the edge pixels.
     */
    static AxisResampling linear(int source, int target) {
        int[] first = new int[target];
        double[][] weights = new double[target][];
        double scale = (double) source / target;
        for (int d = 0; d < target; d++) {
            double position = (d + 0.5) * scale - 0.5;
            int i = (int) Math.floor(position);
            double t = position - i;
            if (i < 0) {
                i = 0;
                t = 0;
            }
            if (i >= source - 1) {
                i = source - 1;
                t = 0;
            }
            first[d] = i;
            weights[d] = t == 0 ? new double[] {1} : new double[] {1 - t, t};
        }
        return new AxisResampling(first, weights);
    }

    /**
     * Area (box) averaging for shrinking, as OpenCV's INTER_AREA: output d averages the source span
     * [d·s, (d+1)·s), s = src/dst, each source pixel weighted by the part of it the span covers.
     */
    static AxisResampling area(int source, int target) {
        if (target > source) {
            throw new IllegalArgumentException("area resampling shrinks; " + source + " → " + target + " grows");
        }
        int[] first = new int[target];
        double[][] weights = new double[target][];
        double scale = (double) source / target;
        for (int d = 0; d < target; d++) {
            double lo = d * scale;
            double hi = Math.min(source, (d + 1) * scale);
            int start = (int) Math.floor(lo);
            int end = Math.min(source, (int) Math.ceil(hi - 1e-9));
            double[] w = new double[end - start];
            for (int s = start; s < end; s++) {
                w[s - start] = (Math.min(hi, s + 1) - Math.max(lo, s)) / scale;
            }
            first[d] = start;
            weights[d] = w;
        }
        return new AxisResampling(first, weights);
    }

    /** Area averaging along an axis that shrinks, linear interpolation along one that keeps its size or grows. */
    static AxisResampling highQuality(int source, int target) {
        return target < source ? area(source, target) : linear(source, target);
    }

    /**
     * Resamples an interleaved plane ({@code channels} values per pixel) of {@code width×height}: first along x,
     * then along y.
     */
    static float[] apply(float[] plane, int width, int height, int channels, AxisResampling alongX, AxisResampling alongY) {
        int toWidth = alongX.first.length;
        int toHeight = alongY.first.length;
        float[] rows = new float[height * toWidth * channels];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < toWidth; x++) {
                double[] w = alongX.weights[x];
                int base = (y * width + alongX.first[x]) * channels;
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    for (int k = 0; k < w.length; k++) {
                        sum += w[k] * plane[base + k * channels + c];
                    }
                    rows[(y * toWidth + x) * channels + c] = (float) sum;
                }
            }
        }
        float[] out = new float[toHeight * toWidth * channels];
        int stride = toWidth * channels;
        for (int y = 0; y < toHeight; y++) {
            double[] w = alongY.weights[y];
            int base = alongY.first[y] * stride;
            for (int i = 0; i < stride; i++) {
                double sum = 0;
                for (int k = 0; k < w.length; k++) {
                    sum += w[k] * rows[base + k * stride + i];
                }
                out[y * stride + i] = (float) sum;
            }
        }
        return out;
    }
}
