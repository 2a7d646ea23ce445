package io.depthstream.model.geometry;

/**
 * Pinhole intrinsics in pixels of one image resolution.
 *
 * <p>Convention (monodepth2's): a resize by factors (sx, sy) multiplies fx, cx by sx and fy, cy by sy; pixel
 * (u, v) addresses the pixel whose index is (u, v), so the image spans u ∈ [0, W−1] (align-corners sampling).
 *
 * @param fx focal length along x, pixels
 * @param fy focal length along y, pixels
 * @param cx principal point x, pixels
 * @param cy principal point y, pixels
 */
public record Intrinsics(double fx, double fy, double cx, double cy) {

    /** KITTI's normalised K that monodepth2 trains with: fx = 0.58·W, fy = 1.92·H, cx = 0.5·W, cy = 0.5·H. */
    public static Intrinsics kittiNormalised(int width, int height) {
        return new Intrinsics(0.58 * width, 1.92 * height, 0.5 * width, 0.5 * height);
    }

    /** These intrinsics for the image resized from {@code fromWidth×fromHeight} to {@code toWidth×toHeight}. */
    public Intrinsics rescaled(int fromWidth, int fromHeight, int toWidth, int toHeight) {
        double sx = (double) toWidth / fromWidth;
        double sy = (double) toHeight / fromHeight;
        return new Intrinsics(fx * sx, fy * sy, cx * sx, cy * sy);
    }

    /**
     * Why these intrinsics cannot belong to a {@code width×height} image, or null when they plausibly do:
     * finite, positive focal lengths of at most 100·max(W, H), principal point within the image grown by its size.
     */
    public String implausibility(int width, int height) {
        double[] values = {fx, fy, cx, cy};
        for (double value : values) {
            if (!Double.isFinite(value)) {
                return "intrinsics are not finite: " + this;
            }
        }
        double limit = 100.0 * Math.max(width, height);
        if (fx <= 0 || fy <= 0 || fx > limit || fy > limit) {
            return "focal lengths must be in (0, " + limit + "] pixels for a " + width + "x" + height + " image: " + this;
        }
        if (cx < -width || cx > 2.0 * width || cy < -height || cy > 2.0 * height) {
            return "principal point lies far outside the " + width + "x" + height + " image: " + this;
        }
        return null;
    }

    /** Row-major 4×4 homogeneous K (the layout the geometry layers take per sample). */
    public float[] toMatrix4x4() {
        return new float[] {
            (float) fx, 0, (float) cx, 0,
            0, (float) fy, (float) cy, 0,
            0, 0, 1, 0,
            0, 0, 0, 1
        };
    }
}
