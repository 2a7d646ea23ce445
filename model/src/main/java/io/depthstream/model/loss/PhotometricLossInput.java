package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * What the photometric loss sees of one batch of triplets.
 *
 * @param target (B,3,H,W) the centre frames, RGB in [0, 1]
 * @param previous the t−1 frames, or null when absent
 * @param next the t+1 frames, or null when absent
 * @param disparities sigmoid disparities per scale s = 0, 1, …, each (B,1,H_s,W_s), scale 0 at (H,W)
 * @param k (B,4,4) intrinsics of the full-resolution images, one camera per sample
 * @param invK (B,4,4) their inverses
 */
public record PhotometricLossInput(
        NDArray target, SourceView previous, SourceView next, List<NDArray> disparities, NDArray k, NDArray invK) {

    public PhotometricLossInput {
        if (target == null || k == null || invK == null) {
            throw new IllegalArgumentException("target, k and invK are required");
        }
        if (previous == null && next == null) {
            throw new IllegalArgumentException("at least one source frame (previous or next) is required");
        }
        if (disparities == null || disparities.isEmpty()) {
            throw new IllegalArgumentException("at least one disparity scale is required");
        }
        disparities = List.copyOf(disparities);
        Shape shape = target.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("target must be (B,C,H,W), got " + shape);
        }
        long batch = shape.get(0);
        for (SourceView source : new SourceView[] {previous, next}) {
            if (source != null) {
                require(source.image().getShape().equals(shape), "source image " + source.image().getShape()
                        + " differs from target " + shape);
                require(source.targetToSource().getShape().equals(new Shape(batch, 4, 4)),
                        "source transform must be (B,4,4), got " + source.targetToSource().getShape());
            }
        }
        require(k.getShape().equals(new Shape(batch, 4, 4)), "k must be (B,4,4), got " + k.getShape());
        require(invK.getShape().equals(new Shape(batch, 4, 4)), "invK must be (B,4,4), got " + invK.getShape());
        for (NDArray disparity : disparities) {
            Shape d = disparity.getShape();
            require(d.dimension() == 4 && d.get(0) == batch && d.get(1) == 1,
                    "disparity must be (B,1,h,w), got " + d);
        }
        require(disparities.get(0).getShape().get(2) == shape.get(2)
                        && disparities.get(0).getShape().get(3) == shape.get(3),
                "scale-0 disparity " + disparities.get(0).getShape() + " must match the target " + shape);
    }

    /** The present sources, t−1 first. */
    public List<SourceView> sources() {
        List<SourceView> present = new ArrayList<>(2);
        if (previous != null) {
            present.add(previous);
        }
        if (next != null) {
            present.add(next);
        }
        return present;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
