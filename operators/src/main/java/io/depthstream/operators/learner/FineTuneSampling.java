package io.depthstream.operators.learner;

import io.depthstream.model.data.RgbImage;
import io.depthstream.operators.triplet.Triplet;

import java.io.Serializable;

/**
 * Which triplets the assembler hands to the online learner: full triplets (both neighbours present), a
 * deterministic {@code rate} of them, and only when the camera moved.
 *
 * <p>Motion is judged as auto-masking judges it: by the identity reprojection error, here the mean absolute
 * difference (in [0, 1]) between the centre frame and each neighbour. When either is below {@code staticThreshold}
 * the camera stood still (or the scene is frozen) for that pair, nothing can be learned from the pair, and the
 * triplet is skipped. The draw is a hash of camera and seq, so a replay or a restart samples the same triplets.
 *
 * @param rate fraction of full, moving triplets sampled, in (0, 1]
 * @param staticThreshold identity error below which a neighbour pair counts as static, in [0, 1)
 */
public record FineTuneSampling(double rate, double staticThreshold) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Every moving triplet; static below a mean difference of 0.01 (2.5 grey levels). */
    public static final double DEFAULT_STATIC_THRESHOLD = 0.01;

    public FineTuneSampling {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("fine-tune sample-rate must be in (0, 1], got " + rate);
        }
        if (!(staticThreshold >= 0 && staticThreshold < 1)) {
            throw new IllegalArgumentException("fine-tune static-threshold must be in [0, 1), got " + staticThreshold);
        }
    }

    /** Why a triplet is or is not handed to the learner. */
    public enum Decision {
        /** Goes to the learner. */
        SAMPLED,
        /** A neighbour is absent (stream start, gap, idle camera). */
        INCOMPLETE,
        /** Not among the {@code rate} drawn. */
        NOT_DRAWN,
        /** The camera did not move against at least one neighbour. */
        STATIC
    }

    /** The decision for one triplet; the draw comes before the image comparison, which costs a pass over pixels. */
    public Decision decide(Triplet triplet) {
        if (triplet.prev() == null || triplet.next() == null) {
            return Decision.INCOMPLETE;
        }
        if (!drawn(triplet.cameraId(), triplet.cur().seq())) {
            return Decision.NOT_DRAWN;
        }
        RgbImage cur = triplet.cur().image();
        if (identityError(triplet.prev().image(), cur) < staticThreshold
                || identityError(cur, triplet.next().image()) < staticThreshold) {
            return Decision.STATIC;
        }
        return Decision.SAMPLED;
    }

    /** Whether (camera, seq) falls in the sampled fraction: a hash, the same on every run. */
    boolean drawn(String cameraId, long seq) {
        if (rate >= 1) {
            return true;
        }
        long h = cameraId.hashCode() * 0x9E3779B97F4A7C15L + seq;
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53 < rate;
    }

    /** Mean absolute difference of two same-sized RGB8 images, in [0, 1]. */
    static double identityError(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            // frames of one camera at network size always match; a mismatch cannot be compared, so it is not static
            return Double.POSITIVE_INFINITY;
        }
        byte[] x = a.rgb();
        byte[] y = b.rgb();
        long sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs((x[i] & 0xFF) - (y[i] & 0xFF));
        }
        return sum / (255.0 * x.length);
    }
}
