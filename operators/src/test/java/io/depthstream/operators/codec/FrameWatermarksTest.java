package io.depthstream.operators.codec;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Frame event time is the capture time; watermarks trail it by the bound and an idle input is marked idle. */
class FrameWatermarksTest {

    private static Frame captured(long captureMs) {
        return new Frame("cam", 1, captureMs, 0, new Intrinsics(1, 1, 0.5, 0.5), new RgbImage(1, 1, new byte[3]),
                null, 0, 0);
    }

    /** Records what a generator emits. */
    private static final class RecordingOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    @Test
    void timestampIsCaptureTimeAndWatermarksTrailByTheBoundUntilIdle() {
        WatermarkStrategy<Frame> strategy = FrameWatermarks.strategy(Duration.ofMillis(300), Duration.ofSeconds(2));
        TimestampAssigner<Frame> assigner = strategy.createTimestampAssigner(UnregisteredMetricsGroup::new);
        assertThat(assigner.extractTimestamp(captured(5_000), 123)).isEqualTo(5_000);

        ManualClock clock = new ManualClock(1_000_000_000L);
        WatermarkGenerator<Frame> generator = strategy.createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        });
        RecordingOutput output = new RecordingOutput();
        generator.onEvent(captured(5_000), 5_000, output);
        generator.onEvent(captured(4_900), 4_900, output); // out of order: does not move the watermark back
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).containsExactly(5_000L - 300 - 1);
        assertThat(output.idle).isFalse();

        // No further frames: periodic emits every 500 ms; the input must turn idle once 2 s passed without one.
        long silentMs = 0;
        while (!output.idle && silentMs < 10_000) {
            clock.advanceTime(Duration.ofMillis(500));
            silentMs += 500;
            generator.onPeriodicEmit(output);
        }
        assertThat(output.idle).isTrue();
        assertThat(silentMs).isBetween(2_000L, 3_000L);
    }

    @Test
    void boundsAreValidated() {
        assertThatThrownBy(() -> FrameWatermarks.strategy(Duration.ofMillis(-1), Duration.ofSeconds(1)))
                .hasMessageContaining("out-of-orderness");
        assertThatThrownBy(() -> FrameWatermarks.strategy(Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("idleness");
    }
}
