package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.geometry.ScalarConstant;

import java.util.List;

/**
 * Per-pixel anchor–positive and anchor–negative distances of K×K patch triplets on one feature map, shared by the
 * patch-based triplet losses.
 *
 * <p>Features are L2-normalised per pixel over channels (x / max(‖x‖, 1e-12)) and zero-padded by K/2; the
 * distance of anchor i and patch position j is √max(2 − 2⟨F̂_i, F̂_j⟩, 1e-9), the Euclidean distance of unit
 * vectors (so √2 to a zero-padded position, ≈3·10⁻⁵ from the anchor to itself). Labels are padded with −1, so
 * positions outside the image are negatives; the anchor is one of its own positives.
 *
 * <p>Nothing of size K·K·C·H·W is formed: per offset o the padded features' products with their o-shifted view are
 * reduced over channels at once to a distance map, which is then accumulated. Distances are symmetric, so one map
 * over the union of the anchor windows of o and −o serves both: (K² − 1)/2 channel products instead of K².
 *
 * @param positive d+ (N,1,H,W): mean distance to the positives
 * @param negative d− (N,1,H,W): mean, or minimum (hardest negative), distance to the negatives; 1e3 where a patch
 *     has no negative under the minimum, 0 under the mean
 * @param boundary (N,1,H,W) boolean: anchors of labelled frames whose patch passes the boundary test (and that the
 *     labels mark eligible)
 * @param boundaryPixels scalar count of boundary anchors
 */
public record PatchDistances(NDArray positive, NDArray negative, NDArray boundary, NDArray boundaryPixels) {

    /** The d− of a patch without negatives under the minimum, as the reference code sets non-negatives before min. */
    public static final double NO_NEGATIVE = 1e3;

    /**
     * The distances of {@code feature}'s patches.
     *
     * @param feature (N,C,H,W), attached to the autograd graph
     * @param labels per frame its labels at W×H, or null for a frame without labels
     * @param hardestNegative d− as the minimum over negatives (true) or their mean (false)
     * @return the distances, or null when no frame has labels
     */
    public static PatchDistances of(NDArray feature, List<LabelMap> labels, PatchSampling sampling,
            boolean hardestNegative) {
        Shape shape = feature.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("feature map must be (N,C,H,W), got " + shape);
        }
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        if (labels.size() != n) {
            throw new IllegalArgumentException("labels for " + labels.size() + " frames, features for " + n);
        }
        int r = sampling.radius();
        int k = sampling.kernel();
        int ph = h + 2 * r;
        int pw = w + 2 * r;
        float[] padded = new float[n * ph * pw];
        java.util.Arrays.fill(padded, -1f);
        float[] eligible = new float[n * h * w];
        boolean anyLabels = false;
        for (int b = 0; b < n; b++) {
            LabelMap map = labels.get(b);
            if (map == null) {
                continue;
            }
            if (map.width() != w || map.height() != h) {
                throw new IllegalArgumentException("labels of frame " + b + " are " + map.width() + "x" + map.height()
                        + ", the feature map " + w + "x" + h);
            }
            anyLabels = true;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    padded[(b * ph + y + r) * pw + x + r] = map.classes()[i];
                    eligible[b * h * w + i] = map.eligible() == null || map.eligible()[i] ? 1f : 0f;
                }
            }
        }
        if (!anyLabels) {
            return null;
        }

        NDManager manager = feature.getManager();
        DataType type = feature.getDataType();
        NDArray paddedLabels = manager.create(padded, new Shape(n, 1, ph, pw));
        NDArray centreLabels = paddedLabels.get(new NDIndex(":, :, {}:{}, {}:{}", r, r + h, r, r + w));

        NDArray squares = feature.square();
        NDArray sumSquares = squares.sum(new int[] {1}, true);
        squares.close();
        // the tiny addend keeps the square root's derivative finite at an all-zero feature vector
        NDArray norm = sumSquares.add(1e-24).sqrt();
        NDArray unit = feature.div(norm.maximum(ScalarConstant.of(norm, 1e-12)));
        NDArray paddedUnit = zeroPad(unit, r);
        NDArray floor = ScalarConstant.of(unit, 1e-9);
        NDArray noNegative = hardestNegative ? manager.full(new Shape(n, 1, h, w), (float) NO_NEGATIVE, type) : null;

        Accumulator sums = new Accumulator(paddedLabels, centreLabels, type, noNegative, hardestNegative, r, h, w);
        // the anchor itself
        NDArray unitSquares = unit.square();
        NDArray self = unitSquares.sum(new int[] {1}, true);
        unitSquares.close();
        sums.add(0, 0, distance(self, floor));
        // ‖f(p) − f(p+o)‖ = ‖f(p+o) − f(p)‖: one product map over the union of both anchor windows serves o and −o
        for (int dy = 0; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                if (dy == 0 && dx <= 0) {
                    continue;
                }
                int rows = h + dy;
                int cols = w + Math.abs(dx);
                int y0 = r - dy;
                int x0 = r + Math.min(0, -dx);
                NDArray a = paddedUnit.get(new NDIndex(":, :, {}:{}, {}:{}", y0, y0 + rows, x0, x0 + cols));
                NDArray b = paddedUnit.get(new NDIndex(":, :, {}:{}, {}:{}", y0 + dy, y0 + dy + rows, x0 + dx,
                        x0 + dx + cols));
                NDArray product = a.mul(b);
                NDArray dot = product.sum(new int[] {1}, true);
                product.close();
                a.close();
                b.close();
                NDArray both = distance(dot, floor);
                dot.close();
                // anchor p sits at q = p + r in padded coordinates; for +o the product index is q, for −o it is q − o
                sums.add(dy, dx, both.get(new NDIndex(":, :, {}:{}, {}:{}", r - y0, r - y0 + h, r - x0, r - x0 + w)));
                sums.add(-dy, -dx, both.get(new NDIndex(":, :, {}:{}, {}:{}", r - dy - y0, r - dy - y0 + h,
                        r - dx - x0, r - dx - x0 + w)));
            }
        }
        NDArray positiveSum = sums.positiveSum;
        NDArray positiveCount = sums.positiveCount;
        NDArray allSum = sums.allSum;
        NDArray negativeMin = sums.negativeMin;
        NDArray negativeCount = positiveCount.neg().add(k * k);
        NDArray positive = positiveSum.div(positiveCount);
        NDArray negative = hardestNegative ? negativeMin
                : allSum.sub(positiveSum).div(negativeCount.maximum(ScalarConstant.of(negativeCount, 1)));
        NDArray boundary = passes(positiveCount, sampling).logicalAnd(passes(negativeCount, sampling))
                .logicalAnd(manager.create(eligible, new Shape(n, 1, h, w)).gt(0.5));
        NDArray boundaryPixels = boundary.toType(DataType.FLOAT64, false).sum();
        return new PatchDistances(positive, negative, boundary, boundaryPixels);
    }

    /**
     * The mean of a per-pixel loss (N,1,H,W) over the boundary anchors, 0 (without gradient) when there are none.
     */
    public NDArray meanOverBoundary(NDArray perPixel) {
        NDArray zeros = perPixel.zerosLike();
        NDArray sum = NDArrays.where(boundary, perPixel, zeros).sum();
        NDArray count = boundaryPixels.toType(perPixel.getDataType(), false);
        return sum.div(count.maximum(ScalarConstant.of(count, 1)));
    }

    /** √max(2 − 2·dot, 1e-9) of unit-vector dot products. */
    private static NDArray distance(NDArray dot, NDArray floor) {
        NDArray squared = dot.add(dot).neg().add(2.0);
        NDArray clamped = squared.maximum(floor);
        squared.close();
        return clamped.sqrt();
    }

    /** Running sums over patch offsets of distances to positives, positive counts, and all or hardest negatives. */
    private static final class Accumulator {
        private final NDArray paddedLabels;
        private final NDArray centreLabels;
        private final DataType type;
        private final NDArray noNegative;
        private final boolean hardestNegative;
        private final int r;
        private final int h;
        private final int w;
        NDArray positiveSum;
        NDArray positiveCount;
        NDArray allSum;
        NDArray negativeMin;

        Accumulator(NDArray paddedLabels, NDArray centreLabels, DataType type, NDArray noNegative,
                boolean hardestNegative, int r, int h, int w) {
            this.paddedLabels = paddedLabels;
            this.centreLabels = centreLabels;
            this.type = type;
            this.noNegative = noNegative;
            this.hardestNegative = hardestNegative;
            this.r = r;
            this.h = h;
            this.w = w;
        }

        /** Adds the (N,1,H,W) distances from each anchor p to p + (dy, dx). */
        void add(int dy, int dx, NDArray distance) {
            NDArray neighbourLabels = paddedLabels.get(new NDIndex(":, :, {}:{}, {}:{}", r + dy, r + dy + h, r + dx,
                    r + dx + w));
            NDArray sameBool = neighbourLabels.eq(centreLabels);
            NDArray same = sameBool.toType(type, false);
            positiveSum = accumulate(positiveSum, distance.mul(same));
            positiveCount = accumulate(positiveCount, same);
            if (hardestNegative) {
                NDArray candidate = NDArrays.where(sameBool, noNegative, distance);
                negativeMin = negativeMin == null ? candidate : negativeMin.minimum(candidate);
            } else {
                allSum = accumulate(allSum, distance);
            }
            sameBool.close();
            neighbourLabels.close();
        }
    }

    private static NDArray passes(NDArray count, PatchSampling sampling) {
        return sampling.rule() == BoundaryRule.GREATER
                ? count.gt(sampling.threshold()) : count.gte(sampling.threshold());
    }

    private static NDArray accumulate(NDArray sum, NDArray term) {
        if (sum == null) {
            return term;
        }
        NDArray next = sum.add(term);
        return next;
    }

    /** (N,C,H,W) → (N,C,H+2r,W+2r) with zeros around, differentiable in the interior. */
    private static NDArray zeroPad(NDArray x, int r) {
        Shape s = x.getShape();
        NDManager manager = x.getManager();
        NDArray side = manager.zeros(new Shape(s.get(0), s.get(1), s.get(2), r), x.getDataType());
        NDArray wide = NDArrays.concat(new ai.djl.ndarray.NDList(side, x, side), 3);
        NDArray band = manager.zeros(new Shape(s.get(0), s.get(1), r, s.get(3) + 2L * r), x.getDataType());
        NDArray padded = NDArrays.concat(new ai.djl.ndarray.NDList(band, wide, band), 2);
        wide.close();
        return padded;
    }
}
