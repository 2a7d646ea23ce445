package io.depthstream.operators.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The random streams the offline training job derives from its one seed, so a run (and a resumed run) is
 * reproducible whatever the parallelism:
 * <ul>
 *   <li>epoch {@code e} visits the split's lines in the order {@code Collections.shuffle(lines in file order,
 *       new Random(epochShuffle(seed, e)))};</li>
 *   <li>the augmentation of line {@code l} in epoch {@code e} is {@code Augmentation.draw(new Random(
 *       augmentation(seed, e, l)))}.</li>
 * </ul>
 * Both seeds pass the inputs through SplitMix64's finaliser, so neighbouring epochs and lines get unrelated streams.
 */
public final class TrainingSeeds {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long SHUFFLE_SALT = 0x53485546464C45L;
    private static final long AUGMENTATION_SALT = 0x4155474D454E54L;

    private TrainingSeeds() {
    }

    /** The seed of epoch {@code epoch}'s shuffle: mix(seed ⊕ mix(SHUFFLE_SALT + (epoch + 1)·φ)). */
    public static long epochShuffle(long seed, int epoch) {
        return mix(seed ^ mix(SHUFFLE_SALT + (epoch + 1L) * GOLDEN));
    }

    /** The seed of the augmentation of split line {@code line} in {@code epoch}: mix(mix(seed ⊕ AUGMENTATION_SALT) + mix(epoch·2³² + line)). */
    public static long augmentation(long seed, int epoch, int line) {
        return mix(mix(seed ^ AUGMENTATION_SALT) + mix(((long) epoch << 32) + (line & 0xFFFFFFFFL)));
    }

    /** The split line numbers {@code lines} (in file order) in the order epoch {@code epoch} visits them. */
    public static List<Integer> epochOrder(List<Integer> lines, long seed, int epoch) {
        List<Integer> order = new ArrayList<>(lines);
        Collections.shuffle(order, new Random(epochShuffle(seed, epoch)));
        return order;
    }

    /** SplitMix64's output function: a bijection that spreads every input bit over the whole word. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
