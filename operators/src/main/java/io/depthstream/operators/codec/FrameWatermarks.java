package io.depthstream.operators.codec;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/** Event time of decoded frames: the capture time, with bounded out-of-orderness and idle-source detection. */
public final class FrameWatermarks {

    private FrameWatermarks() {
    }

    /**
     * Watermarks that trail the newest capture time by {@code maxOutOfOrderness}; a source split silent for
     * {@code idleness} stops holding the watermark back, so other cameras keep flowing.
     */
    public static WatermarkStrategy<Frame> strategy(Duration maxOutOfOrderness, Duration idleness) {
        if (maxOutOfOrderness == null || maxOutOfOrderness.isNegative()) {
            throw new IllegalArgumentException("max out-of-orderness must be zero or positive: " + maxOutOfOrderness);
        }
        if (idleness == null || idleness.isNegative() || idleness.isZero()) {
            throw new IllegalArgumentException("idleness must be positive: " + idleness);
        }
        return WatermarkStrategy.<Frame>forBoundedOutOfOrderness(maxOutOfOrderness)
                .withTimestampAssigner((frame, recordTimestamp) -> frame.captureTimeMs())
                .withIdleness(idleness);
    }
}
