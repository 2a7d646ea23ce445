package io.depthstream.model.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One drawn colour jitter (torchvision's {@code ColorJitter} semantics on float images in [0, 1]): brightness,
 * contrast, saturation factors and a hue shift, applied in a drawn order. The same jitter is applied to every
 * frame of a training sample, so the frames stay photometrically consistent with each other.
 *
 * @param brightness multiplies the image (1 = unchanged)
 * @param contrast blends with the mean grey level (1 = unchanged)
 * @param saturation blends with the grey image (1 = unchanged)
 * @param hue shift of the hue, in turns, within [−0.5, 0.5] (0 = unchanged)
 * @param order the order of the four adjustments: a permutation of 0 = brightness, 1 = contrast, 2 = saturation, 3 = hue
 */
public record ColorJitter(double brightness, double contrast, double saturation, double hue, List<Integer> order) {

    /** Monodepth2's ranges: brightness, contrast, saturation in [0.8, 1.2], hue in [−0.1, 0.1]. */
    public static ColorJitter draw(Random random) {
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
        Collections.shuffle(order, random);
        return new ColorJitter(
                uniform(random, 0.8, 1.2), uniform(random, 0.8, 1.2), uniform(random, 0.8, 1.2),
                uniform(random, -0.1, 0.1), order);
    }

    public ColorJitter {
        order = List.copyOf(order);
        if (order.size() != 4 || !order.containsAll(List.of(0, 1, 2, 3))) {
            throw new IllegalArgumentException("order must be a permutation of 0..3, got " + order);
        }
        if (hue < -0.5 || hue > 0.5) {
            throw new IllegalArgumentException("hue shift must lie in [-0.5, 0.5], got " + hue);
        }
    }

    private static double uniform(Random random, double low, double high) {
        return low + (high - low) * random.nextDouble();
    }

    /**
     * A jittered copy of a planar image.
     *
     * @param chw 3·H·W floats in [0, 1], all R, then G, then B
     */
    public float[] apply(float[] chw) {
        float[] image = chw.clone();
        for (int step : order) {
            switch (step) {
                case 0 -> blendWithConstant(image, brightness, 0f);
                case 1 -> blendWithConstant(image, contrast, meanGrey(image));
                case 2 -> blendWithGrey(image, saturation);
                default -> shiftHue(image, hue);
            }
        }
        return image;
    }

    private static float grey(float r, float g, float b) {
        return 0.2989f * r + 0.587f * g + 0.114f * b;
    }

    private static float meanGrey(float[] image) {
        int plane = image.length / 3;
        double sum = 0;
        for (int i = 0; i < plane; i++) {
            sum += grey(image[i], image[plane + i], image[2 * plane + i]);
        }
        return (float) (sum / plane);
    }

    private static void blendWithConstant(float[] image, double factor, float other) {
        float f = (float) factor;
        for (int i = 0; i < image.length; i++) {
            image[i] = clamp(f * image[i] + (1f - f) * other);
        }
    }

    private static void blendWithGrey(float[] image, double factor) {
        float f = (float) factor;
        int plane = image.length / 3;
        for (int i = 0; i < plane; i++) {
            float grey = grey(image[i], image[plane + i], image[2 * plane + i]);
            for (int c = 0; c < 3; c++) {
                image[c * plane + i] = clamp(f * image[c * plane + i] + (1f - f) * grey);
            }
        }
    }

    private static void shiftHue(float[] image, double shift) {
        int plane = image.length / 3;
        for (int i = 0; i < plane; i++) {
            float r = image[i];
            float g = image[plane + i];
            float b = image[2 * plane + i];
            float max = Math.max(r, Math.max(g, b));
            float min = Math.min(r, Math.min(g, b));
            float chroma = max - min;
            float s = max == min ? 0f : chroma / max;
            float h = 0f;
            if (max != min) {
                float rc = (max - r) / chroma;
                float gc = (max - g) / chroma;
                float bc = (max - b) / chroma;
                if (max == r) {
                    h = bc - gc;
                } else if (max == g) {
                    h = 2f + rc - bc;
                } else {
                    h = 4f + gc - rc;
                }
                h = (float) ((h / 6.0 + 1.0) % 1.0);
            }
            h = (float) floorMod(h + shift, 1.0);
            float v = max;
            float sector = (float) Math.floor(h * 6f);
            float f = h * 6f - sector;
            float p = clamp(v * (1f - s));
            float q = clamp(v * (1f - s * f));
            float t = clamp(v * (1f - s * (1f - f)));
            float[] rgb = switch (((int) sector) % 6) {
                case 0 -> new float[] {v, t, p};
                case 1 -> new float[] {q, v, p};
                case 2 -> new float[] {p, v, t};
                case 3 -> new float[] {p, q, v};
                case 4 -> new float[] {t, p, v};
                default -> new float[] {v, p, q};
            };
            image[i] = rgb[0];
            image[plane + i] = rgb[1];
            image[2 * plane + i] = rgb[2];
        }
    }

    private static double floorMod(double value, double modulus) {
        return value - Math.floor(value / modulus) * modulus;
    }

    private static float clamp(float value) {
        return Math.max(0f, Math.min(1f, value));
    }
}
