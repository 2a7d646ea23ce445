package io.depthstream.operators.triplet;

import java.io.Serializable;
import java.time.Duration;

/**
 * How long and how far {@link TripletAssembler} waits for frames, and how long it remembers a camera.
 *
 * @param maxOutOfOrderness how far (event time) a frame may arrive behind a newer frame of its camera and still be
 *     put in order; also how long a frame waits for a missing neighbour once the watermark has passed its capture time
 * @param maxGap how many sequence numbers the newest frame may be ahead of a missing one before that one is given
 *     up for lost without waiting out the event-time bound; a jump of more than this resets the camera's triplet
 *     chain
 * @param idleTimeout processing time after a camera's last frame at which everything it still buffers is emitted,
 *     so the last frames of a stream that stopped come out even when no watermark moves
 * @param stateTtl processing time after which the state of a camera that sent nothing is dropped
 */
public record TripletTiming(Duration maxOutOfOrderness, long maxGap, Duration idleTimeout, Duration stateTtl)
        implements Serializable {

    public TripletTiming {
        if (maxOutOfOrderness == null || maxOutOfOrderness.isNegative()) {
            throw new IllegalArgumentException("max out-of-orderness must be zero or positive: " + maxOutOfOrderness);
        }
        if (maxGap < 1) {
            throw new IllegalArgumentException("max gap must be at least 1 sequence number: " + maxGap);
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
        if (stateTtl == null || stateTtl.compareTo(idleTimeout) <= 0) {
            // Buffered frames are flushed at the idle timeout; a shorter TTL would expire them unseen.
            throw new IllegalArgumentException("state TTL (" + stateTtl + ") must be longer than the idle timeout ("
                    + idleTimeout + ")");
        }
    }

    /** 500 ms out-of-orderness, gap 10 frames, 3 s idle timeout, 30 min state TTL (a 10 Hz camera). */
    public static TripletTiming defaults() {
        return new TripletTiming(Duration.ofMillis(500), 10, Duration.ofSeconds(3), Duration.ofMinutes(30));
    }
}
