package io.depthstream.model.data;

import java.util.Arrays;

/**
 * Resizes RGB8 images to network resolution with a high-quality filter: area (box) averaging along an axis that
 * shrinks, so detail is averaged rather than aliased, and bilinear interpolation (half-pixel centres) along one
 * that grows.
 *
 * <p>The arithmetic is {@link AxisResampling#apply}'s on the image as floats, sum for sum (double sums, rounded to
 * float after each axis), so results are identical; it reads the bytes directly, uses each axis's weights padded to
 * a fixed number of taps and, for the second axis, accumulates one source row at a time over a whole output row.
 */
public final class ImageResizer {

    /** Weights of the last size pair resized: a stream of frames asks for the same one every time. */
    private static volatile Plan last;

    private ImageResizer() {
    }

    /** {@code image} resized to {@code width×height}; the same image when the size already matches. */
    public static RgbImage resize(RgbImage image, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        }
        if (width == image.width() && height == image.height()) {
            return image;
        }
        Plan plan = last;
        if (plan == null || !plan.matches(image.width(), image.height(), width, height)) {
            plan = new Plan(image.width(), image.height(), AxisResampling.highQuality(image.width(), width),
                    AxisResampling.highQuality(image.height(), height));
            last = plan;
        }
        float[] rows = alongX(image.rgb(), image.width(), image.height(), plan.alongX);
        return new RgbImage(width, height, alongY(rows, width * 3, plan.alongY));
    }

    /** Each source row resampled to the target width, as floats. */
    private static float[] alongX(byte[] rgb, int width, int height, AxisResampling axis) {
        int toWidth = axis.first.length;
        int taps = axis.taps;
        double[] weights = axis.paddedWeights;
        int[] indices = axis.paddedIndices;
        float[] rows = new float[height * toWidth * 3];
        int o = 0;
        for (int y = 0; y < height; y++) {
            int row = y * width * 3;
            for (int x = 0; x < toWidth; x++) {
                int t = x * taps;
                double r = 0;
                double g = 0;
                double b = 0;
                for (int k = 0; k < taps; k++) {
                    double w = weights[t + k];
                    int p = row + indices[t + k] * 3;
                    r += w * (rgb[p] & 0xFF);
                    g += w * (rgb[p + 1] & 0xFF);
                    b += w * (rgb[p + 2] & 0xFF);
                }
                rows[o] = (float) r;
                rows[o + 1] = (float) g;
                rows[o + 2] = (float) b;
                o += 3;
            }
        }
        return rows;
    }

    /** The rows resampled to the target height, rounded and clamped to bytes. */
    private static byte[] alongY(float[] rows, int stride, AxisResampling axis) {
        int toHeight = axis.first.length;
        int taps = axis.taps;
        double[] weights = axis.paddedWeights;
        int[] indices = axis.paddedIndices;
        byte[] out = new byte[toHeight * stride];
        double[] sum = new double[stride];
        for (int y = 0; y < toHeight; y++) {
            Arrays.fill(sum, 0);
            for (int k = 0; k < taps; k++) {
                double w = weights[y * taps + k];
                int source = indices[y * taps + k] * stride;
                for (int i = 0; i < stride; i++) {
                    sum[i] += w * rows[source + i];
                }
            }
            int o = y * stride;
            for (int i = 0; i < stride; i++) {
                out[o + i] = (byte) Math.max(0, Math.min(255, Math.round((float) sum[i])));
            }
        }
        return out;
    }

    /** The weights for one source and target size. */
    private record Plan(int width, int height, AxisResampling alongX, AxisResampling alongY) {

        boolean matches(int fromWidth, int fromHeight, int toWidth, int toHeight) {
            return width == fromWidth && height == fromHeight && alongX.first.length == toWidth
                    && alongY.first.length == toHeight;
        }
    }
}
