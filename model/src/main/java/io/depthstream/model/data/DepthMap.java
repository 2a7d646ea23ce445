package io.depthstream.model.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * A dense or sparse depth map in metres, row-major; 0 means "no measurement".
 *
 * <p>Its PNG form is KITTI's depth-map encoding: 16-bit grayscale, value = round(depth·256), 0 = invalid,
 * so depths up to 255.99 m with 1/256 m resolution.
 *
 * @param width pixels per row
 * @param height rows
 * @param depth {@code width·height} depths in metres
 */
public record DepthMap(int width, int height, float[] depth) {

    /** KITTI stores depth·256 in 16 bits. */
    public static final float KITTI_PNG_SCALE = 256f;

    public DepthMap {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("depth map size must be positive: " + width + "x" + height);
        }
        if (depth.length != (long) width * height) {
            throw new IllegalArgumentException(
                    "expected " + (long) width * height + " depths for " + width + "x" + height + ", got " + depth.length);
        }
    }

    /** Depth at column {@code x}, row {@code y}. */
    public float get(int x, int y) {
        return depth[y * width + x];
    }

    /** Number of pixels with a measurement (depth &gt; 0). */
    public int validCount() {
        int count = 0;
        for (float d : depth) {
            if (d > 0) {
                count++;
            }
        }
        return count;
    }

    /** 16-bit PNG in KITTI's encoding; depths that are not finite or not positive become 0, large ones saturate. */
    public byte[] encodeKittiPng() {
        short[] samples = new short[depth.length];
        for (int i = 0; i < depth.length; i++) {
            float d = depth[i];
            long value = Float.isFinite(d) && d > 0 ? Math.round((double) d * KITTI_PNG_SCALE) : 0;
            samples[i] = (short) Math.min(value, 0xFFFF);
        }
        return PngEncoder.grey16(width, height, samples);
    }

    /**
     * Reads a 16-bit PNG in KITTI's encoding.
     *
     * @throws IllegalArgumentException when the bytes are not a single-channel 16-bit PNG
     */
    public static DepthMap decodeKittiPng(byte[] png) {
        int[] direct;
        try {
            direct = PngDecoder.decodeGrey16(png);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a readable PNG: " + e.getMessage(), e);
        }
        if (direct != null) {
            PngHeader header = PngDecoder.header(png);
            return fromSamples((int) header.width(), (int) header.height(), direct);
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable PNG: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not a PNG image");
        }
        Raster raster = image.getRaster();
        if (raster.getNumBands() != 1 || raster.getSampleModel().getSampleSize(0) != 16) {
            throw new IllegalArgumentException("a KITTI depth PNG has one 16-bit channel; this one has "
                    + raster.getNumBands() + " channel(s) of " + raster.getSampleModel().getSampleSize(0) + " bits");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        return fromSamples(w, h, raster.getSamples(0, 0, w, h, 0, (int[]) null));
    }

    private static DepthMap fromSamples(int width, int height, int[] samples) {
        float[] depth = new float[width * height];
        for (int i = 0; i < depth.length; i++) {
            depth[i] = samples[i] / KITTI_PNG_SCALE;
        }
        return new DepthMap(width, height, depth);
    }
}
