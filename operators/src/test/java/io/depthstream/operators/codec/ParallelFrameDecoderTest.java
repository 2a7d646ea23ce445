package io.depthstream.operators.codec;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.operators.schedule.CpuGate;
import io.depthstream.operators.schedule.DecodeLayout;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decode stage's threads: in the between-batches layout no frame is decoded while a model run holds the JVM's
 * gate, in the overlapped layout frames are decoded regardless; bad records come back rejected either way.
 */
class ParallelFrameDecoderTest {

    private final List<ParallelFrameDecoder> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (ParallelFrameDecoder decoder : opened) {
            decoder.close();
        }
    }

    private ParallelFrameDecoder open(DecodeLayout layout) {
        ParallelFrameDecoder decoder = new ParallelFrameDecoder(16, 8, layout, DeviceChoice.CPU);
        decoder.setRuntimeContext(new MockStreamingRuntimeContext(1, 0));
        decoder.open(DefaultOpenContext.INSTANCE);
        opened.add(decoder);
        return decoder;
    }

    private static IncomingFrame record(long seq, byte[] value) {
        WireHeader[] headers = {new WireHeader(WireFormat.SEQ, Long.toString(seq).getBytes(StandardCharsets.UTF_8))};
        return new IncomingFrame("cam".getBytes(StandardCharsets.UTF_8), value, headers, 1_000 + seq, "frames", 0, seq,
                0);
    }

    private static byte[] png() {
        byte[] rgb = new byte[32 * 16 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i % 241);
        }
        return new RgbImage(32, 16, rgb).encodePng();
    }

    /** Submits one record and returns what it completes with. */
    private static CompletableFuture<Collection<DecodeOutcome>> submit(ParallelFrameDecoder decoder, IncomingFrame in) {
        CompletableFuture<Collection<DecodeOutcome>> done = new CompletableFuture<>();
        decoder.asyncInvoke(in, new ResultFuture<>() {
            @Override
            public void complete(Collection<DecodeOutcome> result) {
                done.complete(result);
            }

            @Override
            public void completeExceptionally(Throwable error) {
                done.completeExceptionally(error);
            }

            @Override
            public void complete(CollectionSupplier<DecodeOutcome> supplier) {
                try {
                    done.complete(supplier.get());
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            }
        });
        return done;
    }

    @Test
    void betweenBatchesNoFrameIsDecodedWhileAModelRuns() throws Exception {
        ParallelFrameDecoder decoder = open(DecodeLayout.BETWEEN_BATCHES);
        assertThat(decoder.plan().layout()).isEqualTo(DecodeLayout.BETWEEN_BATCHES);
        CpuGate gate = CpuGate.shared();
        gate.enterModel();
        List<CompletableFuture<Collection<DecodeOutcome>>> pending = new ArrayList<>();
        try {
            for (int seq = 0; seq < 4; seq++) {
                pending.add(submit(decoder, record(seq, png())));
            }
            assertThatThrownBy(() -> pending.get(0).get(300, TimeUnit.MILLISECONDS))
                    .isInstanceOf(TimeoutException.class);
            assertThat(pending).noneMatch(CompletableFuture::isDone);
            assertThat(gate.decodes()).isZero();
        } finally {
            gate.exitModel();
        }
        for (int seq = 0; seq < 4; seq++) {
            DecodeOutcome outcome = pending.get(seq).get(10, TimeUnit.SECONDS).iterator().next();
            assertThat(outcome.frame().seq()).isEqualTo(seq);
            assertThat(outcome.frame().image().width()).isEqualTo(16);
            assertThat(outcome.frame().image().height()).isEqualTo(8);
        }
    }

    @Test
    void overlappedFramesAreDecodedWhileAModelRuns() throws Exception {
        ParallelFrameDecoder decoder = open(DecodeLayout.OVERLAPPED);
        CpuGate gate = CpuGate.shared();
        gate.enterModel();
        try {
            DecodeOutcome outcome = submit(decoder, record(7, png())).get(10, TimeUnit.SECONDS).iterator().next();
            assertThat(outcome.frame().seq()).isEqualTo(7);
        } finally {
            gate.exitModel();
        }
    }

    @Test
    void aRecordThatFailsToDecodeComesBackRejectedWithItsReasonAndBytes() throws Exception {
        ParallelFrameDecoder decoder = open(DecodeLayout.BETWEEN_BATCHES);
        byte[] png = png();
        byte[] truncated = java.util.Arrays.copyOf(png, png.length / 2);
        DecodeOutcome outcome = submit(decoder, record(3, truncated)).get(10, TimeUnit.SECONDS).iterator().next();
        assertThat(outcome.frame()).isNull();
        assertThat(outcome.rejected().value()).isEqualTo(truncated);
        assertThat(outcome.rejected().source()).isEqualTo("frames/0/3");
        assertThat(outcome.rejected().reason()).isNotBlank();
    }
}
