package io.depthstream.model.loss;

import io.depthstream.model.geometry.DisparityToDepth;

import java.util.Arrays;

/**
 * Label-free boundary labels: pseudo-classes from the network's own (stop-gradient) depth, admitted as anchors only
 * near image edges, so that a boundary needs both a depth step and an appearance step.
 *
 * <p>The rule, for frame n at a feature resolution w×h (the full-resolution inputs are H×W):
 * <ol>
 *   <li>Depth: z(x, y) = depth of the scale-0 sigmoid disparity at source pixel (⌊x·W/w⌋, ⌊y·H/h⌋) (nearest
 *       neighbour, so depths across a discontinuity are never blended into in-between values).</li>
 *   <li>Pseudo-class: u = ln z − median(ln z) over the frame's w·h pixels (the upper median: element ⌊w·h/2⌋ of
 *       the sorted values), q = ⌊u / bin⌋; ids are q − min(q), so they start at 0. Median normalisation makes the
 *       classes independent of monocular depth's unknown scale.</li>
 *   <li>Image edges: the target image is reduced to w×h by 2^s×2^s block means (nearest neighbour when the size
 *       does not divide); g(x, y) = mean over R, G, B of max(|I(x+1,y) − I(x,y)|, |I(x,y+1) − I(x,y)|), a missing
 *       neighbour at the last column or row counting as difference 0. A pixel is an edge when g &gt; threshold.</li>
 *   <li>Eligible anchors: pixels with an edge pixel within {@code edgeRadius} (Chebyshev distance).</li>
 * </ol>
 * The arrays are plain copies taken at construction, so the labels are deterministic and carry no gradient.
 */
public final class DepthBoundaryLabels implements BoundaryLabels {

    private final float[] disparity;
    private final float[] image;
    private final int samples;
    private final int height;
    private final int width;
    private final DisparityToDepth depthRange;
    private final DepthBoundaryConfig config;

    /**
     * @param disparity scale-0 sigmoid disparities, (N,1,H,W) row-major
     * @param image the target frames as the losses see them, (N,3,H,W) row-major, RGB in [0, 1]
     */
    public DepthBoundaryLabels(float[] disparity, float[] image, int samples, int height, int width,
            DisparityToDepth depthRange, DepthBoundaryConfig config) {
        if (disparity.length != (long) samples * height * width) {
            throw new IllegalArgumentException("disparity has " + disparity.length + " values, expected " + samples
                    + "x1x" + height + "x" + width);
        }
        if (image.length != (long) samples * 3 * height * width) {
            throw new IllegalArgumentException("image has " + image.length + " values, expected " + samples + "x3x"
                    + height + "x" + width);
        }
        this.disparity = disparity;
        this.image = image;
        this.samples = samples;
        this.height = height;
        this.width = width;
        this.depthRange = depthRange;
        this.config = config;
    }

    @Override
    public int samples() {
        return samples;
    }

    @Override
    public LabelMap at(int sample, int w, int h) {
        return new LabelMap(w, h, classes(sample, w, h), eligible(sample, w, h));
    }

    private int[] classes(int sample, int w, int h) {
        double minDisp = 1.0 / depthRange.maxDepth();
        double maxDisp = 1.0 / depthRange.minDepth();
        double[] logDepth = new double[w * h];
        int base = sample * height * width;
        for (int y = 0; y < h; y++) {
            int sy = (int) ((long) y * height / h);
            for (int x = 0; x < w; x++) {
                int sx = (int) ((long) x * width / w);
                double scaled = minDisp + (maxDisp - minDisp) * disparity[base + sy * width + sx];
                logDepth[y * w + x] = -Math.log(scaled);
            }
        }
        double[] sorted = logDepth.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        int[] classes = new int[w * h];
        int lowest = Integer.MAX_VALUE;
        for (int i = 0; i < classes.length; i++) {
            classes[i] = (int) Math.floor((logDepth[i] - median) / config.logDepthBin());
            lowest = Math.min(lowest, classes[i]);
        }
        for (int i = 0; i < classes.length; i++) {
            classes[i] -= lowest;
        }
        return classes;
    }

    private boolean[] eligible(int sample, int w, int h) {
        float[] reduced = reducedImage(sample, w, h);
        boolean[] edge = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double strength = 0;
                for (int c = 0; c < 3; c++) {
                    int at = (c * h + y) * w + x;
                    double dx = x + 1 < w ? Math.abs(reduced[at + 1] - reduced[at]) : 0;
                    double dy = y + 1 < h ? Math.abs(reduced[at + w] - reduced[at]) : 0;
                    strength += Math.max(dx, dy);
                }
                edge[y * w + x] = strength / 3 > config.edgeThreshold();
            }
        }
        int r = config.edgeRadius();
        // separable dilation: rows, then columns
        boolean[] rows = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean any = false;
                for (int dx = Math.max(0, x - r); dx <= Math.min(w - 1, x + r) && !any; dx++) {
                    any = edge[y * w + dx];
                }
                rows[y * w + x] = any;
            }
        }
        boolean[] eligible = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean any = false;
                for (int dy = Math.max(0, y - r); dy <= Math.min(h - 1, y + r) && !any; dy++) {
                    any = rows[dy * w + x];
                }
                eligible[y * w + x] = any;
            }
        }
        return eligible;
    }

    /** The frame's image at w×h: block means when the size divides evenly, nearest neighbour otherwise. */
    private float[] reducedImage(int sample, int w, int h) {
        float[] out = new float[3 * w * h];
        int base = sample * 3 * height * width;
        boolean blocks = height % h == 0 && width % w == 0;
        int by = height / h;
        int bx = width / w;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float value;
                    if (blocks) {
                        double sum = 0;
                        for (int yy = y * by; yy < (y + 1) * by; yy++) {
                            for (int xx = x * bx; xx < (x + 1) * bx; xx++) {
                                sum += image[base + (c * height + yy) * width + xx];
                            }
                        }
                        value = (float) (sum / (bx * by));
                    } else {
                        int sy = (int) ((long) y * height / h);
                        int sx = (int) ((long) x * width / w);
                        value = image[base + (c * height + sy) * width + sx];
                    }
                    out[(c * h + y) * w + x] = value;
                }
            }
        }
        return out;
    }
}
