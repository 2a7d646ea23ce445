package io.depthstream.operators.learner;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.operators.InterceptedMetrics;
import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.learner.FineTuneSampling.Decision;
import io.depthstream.operators.triplet.Triplet;
import io.depthstream.operators.triplet.TripletAssembler;
import io.depthstream.operators.triplet.TripletTiming;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which triplets go to the learner: full, drawn at the rate, moving; and the assembler's side output of them. */
class FineTuneSamplingTest {

    private static final int W = 32;
    private static final int H = 16;

    /** A textured image shifted {@code shift} pixels to the right: a camera panning one pixel per frame. */
    private static RgbImage texture(int shift) {
        Random random = new Random(7);
        int[] column = new int[W + 64];
        for (int i = 0; i < column.length; i++) {
            column[i] = random.nextInt(256);
        }
        byte[] rgb = new byte[W * H * 3];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int v = column[x + 32 - shift] ^ (y * 16);
                for (int c = 0; c < 3; c++) {
                    rgb[(y * W + x) * 3 + c] = (byte) v;
                }
            }
        }
        return new RgbImage(W, H, rgb);
    }

    private static Frame frame(String camera, long seq, RgbImage image) {
        return new Frame(camera, seq, 1000 + 100 * seq, seq, Intrinsics.kittiNormalised(W, H), image, null, 0, 0);
    }

    private static Triplet moving(String camera, long seq) {
        return new Triplet(frame(camera, seq - 1, texture((int) seq - 1)), frame(camera, seq, texture((int) seq)),
                frame(camera, seq + 1, texture((int) seq + 1)));
    }

    @Test
    void takesFullMovingTripletsAndSkipsIncompleteAndStaticOnes() {
        FineTuneSampling all = new FineTuneSampling(1.0, FineTuneSampling.DEFAULT_STATIC_THRESHOLD);
        Triplet full = moving("cam", 5);

        assertThat(all.decide(full)).isEqualTo(Decision.SAMPLED);
        assertThat(all.decide(new Triplet(null, full.cur(), full.next()))).isEqualTo(Decision.INCOMPLETE);
        assertThat(all.decide(new Triplet(full.prev(), full.cur(), null))).isEqualTo(Decision.INCOMPLETE);
        // standing still against one neighbour is enough to learn nothing from that pair
        Triplet stopped = new Triplet(frame("cam", 4, texture(5)), full.cur(), full.next());
        assertThat(all.decide(stopped)).isEqualTo(Decision.STATIC);
        assertThat(FineTuneSampling.identityError(texture(5), texture(5))).isZero();
        assertThat(FineTuneSampling.identityError(texture(5), texture(6))).isGreaterThan(0.1);
    }

    @Test
    void drawsTheConfiguredFractionTheSameWayEveryTime() {
        FineTuneSampling quarter = new FineTuneSampling(0.25, 0.0);
        int drawn = 0;
        for (long seq = 0; seq < 4000; seq++) {
            if (quarter.drawn("cam-" + (seq % 3), seq)) {
                drawn++;
            }
            assertThat(quarter.drawn("cam-" + (seq % 3), seq)).isEqualTo(quarter.drawn("cam-" + (seq % 3), seq));
        }
        assertThat(drawn).as("drawn of 4000 at rate 0.25").isBetween(900, 1100);
        assertThat(quarter.decide(moving("cam", 3)) == Decision.NOT_DRAWN)
                .isEqualTo(!quarter.drawn("cam", 3));
    }

    @Test
    void refusesRatesAndThresholdsOutsideTheirRanges() {
        assertThatThrownBy(() -> new FineTuneSampling(0, 0.01)).hasMessageContaining("sample-rate");
        assertThatThrownBy(() -> new FineTuneSampling(1.5, 0.01)).hasMessageContaining("sample-rate");
        assertThatThrownBy(() -> new FineTuneSampling(1, -0.1)).hasMessageContaining("static-threshold");
    }

    @Test
    void assemblerEmitsEveryTripletAndCopiesThePickedOnesToTheSideOutput() throws Exception {
        InterceptedMetrics metrics = new InterceptedMetrics();
        TripletTiming timing = new TripletTiming(Duration.ofMillis(250), 3, Duration.ofSeconds(1), Duration.ofSeconds(10));
        try (MockEnvironment environment = metrics.environment();
                KeyedOneInputStreamOperatorTestHarness<String, Frame, Triplet> harness =
                        new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new TripletAssembler(
                                timing, new FineTuneSampling(1.0, FineTuneSampling.DEFAULT_STATIC_THRESHOLD))),
                                Frame::cameraId, Types.STRING, environment)) {
            harness.open();
            // seq 0..9 panning, then 10..12 standing still (same image as 9)
            for (long seq = 0; seq < 13; seq++) {
                Frame frame = frame("cam", seq, texture((int) Math.min(seq, 9)));
                harness.processElement(frame, frame.captureTimeMs());
            }
            harness.processWatermark(Long.MAX_VALUE);

            List<Long> centres = new ArrayList<>();
            for (Triplet triplet : harness.extractOutputValues()) {
                centres.add(triplet.cur().seq());
            }
            List<Long> sampled = new ArrayList<>();
            for (StreamRecord<Triplet> record : harness.getSideOutput(TripletAssembler.FINE_TUNE)) {
                sampled.add(record.getValue().cur().seq());
            }
            assertThat(centres).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
            // 0 and 12 lack a neighbour; 9 (next is 10, same image), 10 and 11 stood still
            assertThat(sampled).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(metrics.count(TripletAssembler.SAMPLED_METRIC)).isEqualTo(8);
            assertThat(metrics.count(TripletAssembler.STATIC_METRIC)).isEqualTo(3);
        }
    }
}
