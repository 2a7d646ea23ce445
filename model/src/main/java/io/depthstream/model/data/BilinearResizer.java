package io.depthstream.model.data;

/**
 * Bilinear resizing of a float plane with OpenCV's INTER_LINEAR semantics (half-pixel centres, edge pixels
 * repeated, no anti-aliasing), which is how the Eigen protocol brings predicted disparity to the ground-truth size.
 */
public final class BilinearResizer {

    private BilinearResizer() {
    }

    /**
     * {@code plane} (row-major {@code height×width}) resized to {@code toHeight×toWidth}.
     *
     * <p>OpenCV switches INTER_LINEAR to area averaging for an exact 2× shrink; this class does not.
     */
    public static float[] resize(float[] plane, int width, int height, int toWidth, int toHeight) {
        if (plane.length != (long) width * height) {
            throw new IllegalArgumentException("expected " + (long) width * height + " values for " + width + "x" + height
                    + ", got " + plane.length);
        }
        if (toWidth <= 0 || toHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + toWidth + "x" + toHeight);
        }
        return AxisResampling.apply(plane, width, height, 1,
                AxisResampling.linear(width, toWidth), AxisResampling.linear(height, toHeight));
    }
}
