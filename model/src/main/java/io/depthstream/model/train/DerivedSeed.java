package io.depthstream.model.train;

/**
 * Seeds derived from a run's seed and a position in the run (a step, an epoch and a line…), so what is drawn at a
 * position does not depend on what was drawn before it: a resumed run draws what the uninterrupted run would have.
 */
public final class DerivedSeed {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private DerivedSeed() {}

    /** A well-mixed seed that is a pure function of {@code seed} and the {@code keys} in order. */
    public static long of(long seed, long... keys) {
        long h = mix(seed + GOLDEN_GAMMA);
        for (long key : keys) {
            h = mix(h ^ mix(key * GOLDEN_GAMMA + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
