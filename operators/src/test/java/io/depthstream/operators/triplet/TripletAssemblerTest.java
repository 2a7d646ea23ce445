package io.depthstream.operators.triplet;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.operators.InterceptedMetrics;
import io.depthstream.operators.codec.Frame;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TripletAssembler} in Flink's keyed operator harness: ordering, duplicates, gaps, timeouts, TTL. */
class TripletAssemblerTest {

    /** 10 Hz frames: capture time = 1000 + 100·seq ms. */
    private static final long FRAME_MS = 100;
    private static final long OUT_OF_ORDER_MS = 250;
    private static final TripletTiming TIMING = new TripletTiming(
            Duration.ofMillis(OUT_OF_ORDER_MS), 3, Duration.ofSeconds(1), Duration.ofSeconds(10));

    private final InterceptedMetrics metrics = new InterceptedMetrics();
    private MockEnvironment environment;
    private KeyedOneInputStreamOperatorTestHarness<String, Frame, Triplet> harness;
    private final List<Frame> accepted = new ArrayList<>();
    private long newestCapture = Long.MIN_VALUE;

    @BeforeEach
    void open() throws Exception {
        environment = metrics.environment();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new TripletAssembler(TIMING)), Frame::cameraId, Types.STRING, environment);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
        environment.close();
    }

    private static long captureOf(long seq) {
        return 1000 + FRAME_MS * seq;
    }

    private static Frame frame(String camera, long seq, long captureMs, long receivedAtMs) {
        byte[] rgb = {(byte) seq, 0, 0, 0, (byte) seq, 0};
        return new Frame(camera, seq, captureMs, receivedAtMs, Intrinsics.kittiNormalised(2, 1),
                new RgbImage(2, 1, rgb), null, 0, 0);
    }

    /** Sends a frame that the assembler is expected to accept. */
    private void send(String camera, long seq) throws Exception {
        Frame frame = frame(camera, seq, captureOf(seq), seq);
        accepted.add(frame);
        harness.processElement(frame, frame.captureTimeMs());
    }

    private void send(long seq) throws Exception {
        send("cam", seq);
    }

    /** Sends a frame that the assembler is expected to drop (a duplicate). */
    private void sendDuplicate(String camera, long seq, long receivedAtMs) throws Exception {
        harness.processElement(frame(camera, seq, captureOf(seq), receivedAtMs), captureOf(seq));
    }

    /** Advances the watermark as bounded out-of-orderness would after the frames sent so far. */
    private void watermarkAfter(long seq) throws Exception {
        newestCapture = Math.max(newestCapture, captureOf(seq));
        harness.processWatermark(newestCapture - OUT_OF_ORDER_MS - 1);
    }

    private void endOfInput() throws Exception {
        harness.processWatermark(Long.MAX_VALUE);
    }

    private static String describe(Triplet triplet) {
        return (triplet.prev() == null ? "_" : Long.toString(triplet.prev().seq())) + "<" + triplet.cur().seq() + ">"
                + (triplet.next() == null ? "_" : Long.toString(triplet.next().seq()));
    }

    private List<String> triplets(String camera) {
        List<String> out = new ArrayList<>();
        for (Triplet triplet : harness.extractOutputValues()) {
            assertThat(triplet.prev() == null || triplet.prev().cameraId().equals(triplet.cameraId())).isTrue();
            assertThat(triplet.next() == null || triplet.next().cameraId().equals(triplet.cameraId())).isTrue();
            if (triplet.cameraId().equals(camera)) {
                out.add(describe(triplet));
            }
        }
        return out;
    }

    private List<String> triplets() {
        return triplets("cam");
    }

    /** A frame's identity across the harness's serialising copies: camera, seq and (unique per send) receive time. */
    private static String identity(Frame frame) {
        return frame.cameraId() + "#" + frame.seq() + "@" + frame.receivedAtMs();
    }

    /** Every accepted frame is the centre of exactly one emitted triplet, and nothing else is. */
    private void assertEachAcceptedFrameIsCentreOnce() {
        List<String> centres = new ArrayList<>();
        for (Triplet triplet : harness.extractOutputValues()) {
            centres.add(identity(triplet.cur()));
        }
        List<String> expected = new ArrayList<>();
        for (Frame frame : accepted) {
            expected.add(identity(frame));
        }
        assertThat(centres).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(metrics.count(TripletAssembler.TRIPLETS_METRIC)).isEqualTo(accepted.size());
    }

    @Test
    void inOrderStreamEmitsEachFrameOnceItsSuccessorArrives() throws Exception {
        for (long seq = 0; seq <= 5; seq++) {
            send(seq);
            watermarkAfter(seq);
        }
        // Frame 0 waited for a possible predecessor until frame 2; then each centre leaves when its successor arrives.
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>3", "2<3>4", "3<4>5");

        harness.processWatermark(captureOf(5) + OUT_OF_ORDER_MS);
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>3", "2<3>4", "3<4>5", "4<5>_");
        assertEachAcceptedFrameIsCentreOnce();
        assertThat(metrics.count(TripletAssembler.OUT_OF_ORDER_METRIC)).isZero();
        assertThat(metrics.count(TripletAssembler.DUPLICATE_METRIC)).isZero();
        assertThat(metrics.count(TripletAssembler.GAP_METRIC)).isZero();
        assertThat(metrics.count(TripletAssembler.LATE_METRIC)).isZero();
    }

    @Test
    void framesShuffledWithinTheBoundComeOutInOrderWithBothNeighbours() throws Exception {
        for (long seq : new long[] {1, 0, 2, 4, 3, 5, 7, 6}) {
            send(seq);
            watermarkAfter(seq);
        }
        endOfInput();
        assertThat(triplets()).containsExactly(
                "_<0>1", "0<1>2", "1<2>3", "2<3>4", "3<4>5", "4<5>6", "5<6>7", "6<7>_");
        assertEachAcceptedFrameIsCentreOnce();
        assertThat(metrics.count(TripletAssembler.OUT_OF_ORDER_METRIC)).isEqualTo(3);
        assertThat(metrics.count(TripletAssembler.LATE_METRIC)).isZero();
    }

    @Test
    void duplicatesAreDroppedAndTheFirstCopyWins() throws Exception {
        send(0);
        send(1);
        send(2);
        sendDuplicate("cam", 2, 999); // still buffered
        sendDuplicate("cam", 1, 999); // already emitted
        sendDuplicate("cam", 0, 999); // already emitted
        send(3);
        endOfInput();
        sendDuplicate("cam", 3, 999); // emitted at the end of input

        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>3", "2<3>_");
        for (Triplet triplet : harness.extractOutputValues()) {
            assertThat(triplet.cur().receivedAtMs()).isEqualTo(triplet.cur().seq());
        }
        assertEachAcceptedFrameIsCentreOnce();
        assertThat(metrics.count(TripletAssembler.DUPLICATE_METRIC)).isEqualTo(4);
    }

    @Test
    void gapLargerThanMaxGapFlushesAtOnceAndStartsANewChain() throws Exception {
        send(0);
        send(1);
        send(2);
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2");

        send(10); // 8 ahead of the newest with max gap 3: frame 2 stops waiting for 3 without any watermark
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_");
        assertThat(metrics.count(TripletAssembler.GAP_METRIC)).isEqualTo(1);

        send(11);
        endOfInput();
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_", "_<10>11", "10<11>_");
        assertEachAcceptedFrameIsCentreOnce();
    }

    @Test
    void missingFrameIsGivenUpAtTheWatermarkAndALateArrivalIsEmittedAlone() throws Exception {
        send(0);
        send(1);
        send(2);
        send(4);
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2");

        // Frame 2 waits for 3 until the watermark passes its capture time plus the out-of-orderness.
        harness.processWatermark(captureOf(2) + OUT_OF_ORDER_MS - 1);
        assertThat(triplets()).hasSize(2);
        harness.processWatermark(captureOf(2) + OUT_OF_ORDER_MS);
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_");

        send(5);
        send(6);
        endOfInput();
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_", "_<4>5", "4<5>6", "5<6>_");

        send(3); // after its place was passed: not lost, emitted without neighbours
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_", "_<4>5", "4<5>6", "5<6>_", "_<3>_");
        assertEachAcceptedFrameIsCentreOnce();
        assertThat(metrics.count(TripletAssembler.LATE_METRIC)).isEqualTo(1);
        assertThat(metrics.count(TripletAssembler.GAP_METRIC)).isZero();

        sendDuplicate("cam", 3, 999); // the late frame is remembered like any other centre
        assertThat(metrics.count(TripletAssembler.DUPLICATE_METRIC)).isEqualTo(1);
        assertThat(triplets()).hasSize(7);
    }

    @Test
    void missingFrameIsGivenUpWhenTheStreamIsMaxGapAhead() throws Exception {
        send(0);
        send(1);
        send(3);
        send(4);
        assertThat(triplets()).containsExactly("_<0>1");
        send(5); // newest − missing 2 = 3 = max gap
        assertThat(triplets()).containsExactly("_<0>1", "0<1>_", "_<3>4", "3<4>5");
        endOfInput();
        assertThat(triplets()).containsExactly("_<0>1", "0<1>_", "_<3>4", "3<4>5", "4<5>_");
        assertEachAcceptedFrameIsCentreOnce();
        assertThat(metrics.count(TripletAssembler.GAP_METRIC)).isZero();
    }

    @Test
    void idleCameraIsFlushedByTheProcessingTimeTimeout() throws Exception {
        send(0);
        send(1);
        harness.setProcessingTime(500);
        send(2); // refreshes the idle deadline to 1500
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2");

        harness.setProcessingTime(1499);
        assertThat(triplets()).hasSize(2);
        harness.setProcessingTime(1500);
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_");
        assertThat(metrics.count(TripletAssembler.IDLE_FLUSH_METRIC)).isEqualTo(1);

        // The camera comes back: its next frame still has the last centre as predecessor.
        harness.setProcessingTime(5000);
        send(3);
        harness.setProcessingTime(6000);
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_", "2<3>_");
        assertThat(metrics.count(TripletAssembler.IDLE_FLUSH_METRIC)).isEqualTo(2);
        assertEachAcceptedFrameIsCentreOnce();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void endOfInputEmitsEverythingBuffered() throws Exception {
        send(0);
        send(1);
        assertThat(triplets()).isEmpty();
        endOfInput();
        assertThat(triplets()).containsExactly("_<0>1", "0<1>_");
        assertEachAcceptedFrameIsCentreOnce();
    }

    @Test
    void stateOfACameraExpiresAfterTheTtl() throws Exception {
        harness.setStateTtlProcessingTime(0);
        send(0);
        send(1);
        send(2);
        harness.setProcessingTime(1000); // idle flush
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_");

        harness.setStateTtlProcessingTime(9_999);
        sendDuplicate("cam", 2, 999); // still remembered
        assertThat(metrics.count(TripletAssembler.DUPLICATE_METRIC)).isEqualTo(1);

        harness.setStateTtlProcessingTime(10_001);
        send(2); // the camera was forgotten: seq 2 is a new frame with no predecessor
        endOfInput();
        assertThat(triplets()).containsExactly("_<0>1", "0<1>2", "1<2>_", "_<2>_");
        assertThat(metrics.count(TripletAssembler.DUPLICATE_METRIC)).isEqualTo(1);
        assertThat(metrics.count(TripletAssembler.LATE_METRIC)).isZero();
    }

    @Test
    void renumberedCameraStartsANewChainButAnOldFrameIsLate() throws Exception {
        for (long seq = 50; seq <= 52; seq++) {
            send(seq);
        }
        assertThat(triplets()).containsExactly("_<50>51", "50<51>52");

        // Seq far behind the last centre and captured long before it: a late frame, emitted alone.
        send(40);
        assertThat(triplets()).containsExactly("_<50>51", "50<51>52", "_<40>_");
        assertThat(metrics.count(TripletAssembler.LATE_METRIC)).isEqualTo(1);
        assertThat(metrics.count(TripletAssembler.GAP_METRIC)).isZero();

        // Seq far behind the last centre but captured after it: the camera restarted its numbering.
        Frame restart = frame("cam", 0, captureOf(53), 1000);
        accepted.add(restart);
        harness.processElement(restart, restart.captureTimeMs());
        assertThat(triplets()).containsExactly("_<50>51", "50<51>52", "_<40>_", "51<52>_");
        assertThat(metrics.count(TripletAssembler.GAP_METRIC)).isEqualTo(1);

        Frame next = frame("cam", 1, captureOf(54), 1001);
        accepted.add(next);
        harness.processElement(next, next.captureTimeMs());
        endOfInput();
        assertThat(triplets()).containsExactly("_<50>51", "50<51>52", "_<40>_", "51<52>_", "_<0>1", "0<1>_");
        assertThat(metrics.count(TripletAssembler.LATE_METRIC)).isEqualTo(1);
        assertEachAcceptedFrameIsCentreOnce();
    }

    @Test
    void interleavedCamerasFormTripletsIndependently() throws Exception {
        send("front", 0);
        send("rear", 100);
        send("front", 1);
        send("rear", 101);
        send("front", 2);
        send("rear", 103); // rear misses 102
        send("front", 3);
        send("rear", 104);
        send("rear", 105);
        send("rear", 106);
        endOfInput();
        assertThat(triplets("front")).containsExactly("_<0>1", "0<1>2", "1<2>3", "2<3>_");
        assertThat(triplets("rear")).containsExactly("_<100>101", "100<101>_", "_<103>104", "103<104>105",
                "104<105>106", "105<106>_");
        assertEachAcceptedFrameIsCentreOnce();
        assertThat(metrics.count(TripletAssembler.GAP_METRIC)).isZero();
        assertThat(metrics.count(TripletAssembler.OUT_OF_ORDER_METRIC)).isZero();
    }

    @Test
    void timingIsValidated() {
        Duration second = Duration.ofSeconds(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TripletTiming(Duration.ofMillis(-1), 3, second,
                Duration.ofMinutes(1))).hasMessageContaining("out-of-orderness");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TripletTiming(second, 0, second,
                Duration.ofMinutes(1))).hasMessageContaining("max gap");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TripletTiming(second, 3, Duration.ZERO,
                Duration.ofMinutes(1))).hasMessageContaining("idle timeout");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TripletTiming(second, 3, second, second))
                .hasMessageContaining("state TTL");
        assertThat(TripletTiming.defaults().maxGap()).isEqualTo(10);
    }
}
