package io.depthstream.model.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One sample map of the depth-differential triplet loss: the anchor feature and reference-depth maps rolled
 * circularly (as {@code torch.roll}: out[i] = in[(i − shift) mod n]) along batch, rows and columns.
 * A roll with {@code batch = 0} samples within each image; {@code batch > 0} pairs each image with another one.
 *
 * @param batch shift along the batch axis
 * @param rows shift along the height axis
 * @param columns shift along the width axis
 */
public record SampleRoll(int batch, int rows, int columns) {

    public SampleRoll {
        if (batch < 0 || rows < 0 || columns < 0) {
            throw new IllegalArgumentException("roll shifts must be >= 0, got " + batch + "," + rows + "," + columns);
        }
        if (batch == 0 && rows == 0 && columns == 0) {
            throw new IllegalArgumentException("a roll of zero would compare every pixel with itself");
        }
    }

    /**
     * MetricDepth's sample collection for one (batch, height, width) feature map: {@code within} rolls with
     * s_h in [1, H−1] and s_w in [1, W−1] (Eqs. 1–4), then {@code across} rolls that take another image of the batch
     * (batch shift in [1, B−1]) at a random spatial shift in [0, H−1]×[0, W−1]. The paper's description of the
     * across-batch collection is cut off; pairing with another image, also rolled so that repeated draws in a small
     * batch do not repeat the same pairs, is this implementation's reading. A batch of one image has no across rolls.
     */
    public static List<SampleRoll> draw(Random random, int batch, int height, int width, int within, int across) {
        if (height < 2 || width < 2) {
            throw new IllegalArgumentException("rolls need a feature map of at least 2x2, got " + height + "x" + width);
        }
        List<SampleRoll> rolls = new ArrayList<>(within + across);
        for (int n = 0; n < within; n++) {
            rolls.add(new SampleRoll(0, 1 + random.nextInt(height - 1), 1 + random.nextInt(width - 1)));
        }
        if (batch > 1) {
            for (int n = 0; n < across; n++) {
                rolls.add(new SampleRoll(1 + random.nextInt(batch - 1), random.nextInt(height), random.nextInt(width)));
            }
        }
        return rolls;
    }

    /** Whether this roll fits a (batch, height, width) map, i.e. every shift is below its axis length. */
    boolean fits(long batchSize, long height, long width) {
        return batch < batchSize && rows < height && columns < width;
    }
}
