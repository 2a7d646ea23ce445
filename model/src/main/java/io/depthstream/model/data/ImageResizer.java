package io.depthstream.model.data;

/**
 * Resizes RGB8 images to network resolution with a high-quality filter: area (box) averaging along an axis that
 * shrinks, so detail is averaged rather than aliased, and bilinear interpolation (half-pixel centres) along one
 * that grows.
 */
public final class ImageResizer {

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
        byte[] rgb = image.rgb();
        float[] plane = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            plane[i] = rgb[i] & 0xFF;
        }
        float[] resized = AxisResampling.apply(plane, image.width(), image.height(), 3,
                AxisResampling.highQuality(image.width(), width), AxisResampling.highQuality(image.height(), height));
        byte[] out = new byte[resized.length];
        for (int i = 0; i < resized.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(resized[i])));
        }
        return new RgbImage(width, height, out);
    }
}
