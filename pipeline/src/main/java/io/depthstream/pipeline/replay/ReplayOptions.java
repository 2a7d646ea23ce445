package io.depthstream.pipeline.replay;

import io.depthstream.operators.codec.WireFormat;

/**
 * How frames are replayed.
 *
 * @param topic the topic the frames go to
 * @param rateHz frames per second per camera, or {@link Double#POSITIVE_INFINITY} to send as fast as the broker
 *     takes them
 * @param loop whether to start over after the last frame (sequence numbers and timestamps keep increasing) until
 *     stopped
 * @param liveClock whether records are stamped as live cameras on one clock would stamp them: paced, each frame
 *     with the moment it is sent; unpaced, each drive's first frame with the moment the replay starts and the
 *     recorded spacing kept; false keeps the recorded times. Event time in the streaming job is shared by all cameras, so drives recorded at
 *     different times and replayed together need the live clock.
 */
public record ReplayOptions(String topic, double rateHz, boolean loop, boolean liveClock) {

    /** KITTI's capture rate: replaying at it makes a drive look like a live camera. */
    public static final double KITTI_RATE_HZ = 10.0;

    public ReplayOptions {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a replay needs a topic");
        }
        if (!(rateHz > 0)) {
            throw new IllegalArgumentException("the replay rate must be positive, got " + rateHz);
        }
    }

    /** Options keeping the recorded timestamps. */
    public ReplayOptions(String topic, double rateHz, boolean loop) {
        this(topic, rateHz, loop, false);
    }

    /** One pass onto the default {@code frames} topic as fast as possible (tests, the demo's warm-up). */
    public static ReplayOptions once() {
        return new ReplayOptions(WireFormat.FRAMES_TOPIC, Double.POSITIVE_INFINITY, false);
    }

    /** Whether frames are paced at all. */
    public boolean paced() {
        return Double.isFinite(rateHz);
    }
}
