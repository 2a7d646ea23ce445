package io.depthstream.model.io;

import io.depthstream.model.data.RgbImage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Colours a disparity map with the magma colour map, normalised from its minimum to its 95th percentile, the way
 * monodepth2's published pictures look (near = bright, far = dark).
 */
public final class DisparityColormap {

    private static final int[] MAGMA = loadMagma();

    private DisparityColormap() {}

    /**
     * @param disparity row-major H·W values (any positive scale)
     * @return the coloured image, W×H
     */
    public static RgbImage colorize(float[] disparity, int width, int height) {
        if (disparity.length != width * height) {
            throw new IllegalArgumentException("expected " + width * height + " values, got " + disparity.length);
        }
        float[] sorted = disparity.clone();
        Arrays.sort(sorted);
        float low = sorted[0];
        float high = sorted[(int) Math.floor(0.95 * (sorted.length - 1))];
        float range = high > low ? high - low : 1f;
        byte[] rgb = new byte[disparity.length * 3];
        for (int i = 0; i < disparity.length; i++) {
            float normalised = Math.max(0f, Math.min(1f, (disparity[i] - low) / range));
            int colour = MAGMA[Math.round(normalised * 255f)];
            rgb[3 * i] = (byte) (colour >> 16);
            rgb[3 * i + 1] = (byte) (colour >> 8);
            rgb[3 * i + 2] = (byte) colour;
        }
        return new RgbImage(width, height, rgb);
    }

    /** The magma colour of a value in [0, 1] as 0xRRGGBB. */
    public static int magma(double value) {
        return MAGMA[(int) Math.round(Math.max(0, Math.min(1, value)) * 255)];
    }

    private static int[] loadMagma() {
        int[] table = new int[256];
        try (InputStream in = DisparityColormap.class.getResourceAsStream("magma.csv")) {
            if (in == null) {
                throw new IllegalStateException("magma.csv is missing from the class path: a broken build");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (int i = 0; i < 256; i++) {
                String[] parts = reader.readLine().split(",");
                table[i] = Integer.parseInt(parts[0]) << 16 | Integer.parseInt(parts[1]) << 8 | Integer.parseInt(parts[2]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return table;
    }
}
