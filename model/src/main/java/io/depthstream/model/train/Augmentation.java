package io.depthstream.model.train;

import io.depthstream.model.geometry.Intrinsics;

import java.util.Random;

/**
 * The augmentation drawn for one training sample, as monodepth2 trains: with p = 0.5 a colour jitter that only the
 * networks see, and with p = 0.5 a horizontal flip of every frame (a geometric change the losses see too).
 *
 * @param jitter the colour jitter for the networks' inputs, or null for none
 * @param flip whether every frame of the sample is mirrored left–right
 */
public record Augmentation(ColorJitter jitter, boolean flip) {

    /** No augmentation (evaluation, the {@code loss} command, online fine-tuning by default). */
    public static Augmentation none() {
        return new Augmentation(null, false);
    }

    /** Draws jitter and flip, each with probability 0.5. */
    public static Augmentation draw(Random random) {
        ColorJitter jitter = random.nextDouble() < 0.5 ? ColorJitter.draw(random) : null;
        return new Augmentation(jitter, random.nextDouble() < 0.5);
    }

    /**
     * The frame as the losses see it: flipped when drawn, never jittered.
     *
     * @param chw 3·H·W floats in [0, 1]
     */
    public float[] lossImage(float[] chw, int width, int height) {
        return flip ? mirror(chw, width, height) : chw;
    }

    /** The frame as the networks see it: jittered (when drawn), then flipped (when drawn). */
    public float[] networkImage(float[] chw, int width, int height) {
        float[] jittered = jitter == null ? chw : jitter.apply(chw);
        return flip ? mirror(jittered, width, height) : jittered;
    }

    /** Intrinsics of the (possibly) mirrored image: the principal point mirrors about the image's centre. */
    public Intrinsics intrinsics(Intrinsics k, int width) {
        return flip ? new Intrinsics(k.fx(), k.fy(), (width - 1) - k.cx(), k.cy()) : k;
    }

    static float[] mirror(float[] chw, int width, int height) {
        float[] out = new float[chw.length];
        int rows = chw.length / width;
        if (rows * width != chw.length || rows % height != 0) {
            throw new IllegalArgumentException("image of " + chw.length + " floats is not C×" + height + "×" + width);
        }
        for (int row = 0; row < rows; row++) {
            int base = row * width;
            for (int x = 0; x < width; x++) {
                out[base + x] = chw[base + width - 1 - x];
            }
        }
        return out;
    }
}
