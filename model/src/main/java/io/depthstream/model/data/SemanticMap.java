package io.depthstream.model.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A per-pixel map of semantic class ids for one frame (e.g. pseudo-labels of a segmentation network), row-major.
 *
 * @param width pixels per row
 * @param height rows
 * @param classes {@code width·height} class ids, each in 0..255 (the range an 8-bit grayscale PNG carries)
 */
public record SemanticMap(int width, int height, int[] classes) {

    /** Largest class id: the map travels as an 8-bit grayscale PNG. */
    public static final int MAX_CLASS = 255;

    public SemanticMap {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("semantic map size must be positive: " + width + "x" + height);
        }
        if (classes == null || classes.length != (long) width * height) {
            throw new IllegalArgumentException("expected " + (long) width * height + " class ids for " + width + "x"
                    + height + ", got " + (classes == null ? "none" : classes.length));
        }
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] < 0 || classes[i] > MAX_CLASS) {
                throw new IllegalArgumentException("class id " + classes[i] + " at pixel " + i + " is outside 0.."
                        + MAX_CLASS);
            }
        }
    }

    /** The class id at column x, row y. */
    public int get(int x, int y) {
        return classes[y * width + x];
    }

    /**
     * Decodes an 8-bit grayscale PNG whose sample values are the class ids.
     *
     * @throws IllegalArgumentException when the bytes are not an image, or not single-channel 8-bit
     */
    public static SemanticMap decodePng(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a decodable PNG: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not a PNG image (" + png.length + " bytes)");
        }
        // the raw samples, not colours: a colour conversion would alter the ids
        Raster raster = image.getRaster();
        if (image.getType() != BufferedImage.TYPE_BYTE_GRAY || raster.getNumBands() != 1
                || raster.getSampleModel().getSampleSize(0) != 8) {
            throw new IllegalArgumentException("a semantic map must be an 8-bit grayscale PNG (value = class id), got "
                    + raster.getNumBands() + " band(s) of " + raster.getSampleModel().getSampleSize(0) + " bits");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        return new SemanticMap(width, height, raster.getSamples(0, 0, width, height, 0, new int[width * height]));
    }

    /** This map as an 8-bit grayscale PNG. */
    public byte[] encodePng() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        raster.setSamples(0, 0, width, height, 0, classes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Nearest-neighbour resampling to {@code newWidth × newHeight}: target pixel x takes source column
     * ⌊x·width/newWidth⌋ (PyTorch's {@code interpolate(mode='nearest')}), so ids are never blended.
     */
    public SemanticMap resized(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return this;
        }
        if (newWidth <= 0 || newHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + newWidth + "x" + newHeight);
        }
        int[] out = new int[newWidth * newHeight];
        for (int y = 0; y < newHeight; y++) {
            int sy = (int) ((long) y * height / newHeight);
            for (int x = 0; x < newWidth; x++) {
                out[y * newWidth + x] = classes[sy * width + (int) ((long) x * width / newWidth)];
            }
        }
        return new SemanticMap(newWidth, newHeight, out);
    }

    /** This map mirrored left–right (for a horizontally flipped frame). */
    public SemanticMap mirrored() {
        int[] out = new int[classes.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y * width + x] = classes[y * width + width - 1 - x];
            }
        }
        return new SemanticMap(width, height, out);
    }
}
