package io.depthstream.operators.schedule;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Model runs and decodes never hold the gate together; each kind shares it with its own. */
class CpuGateTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @Test
    void aDecodeWaitsUntilTheModelRunEnds() throws Exception {
        CpuGate gate = new CpuGate();
        gate.enterModel();
        Future<?> decode = threads.submit(() -> {
            gate.enterDecode();
            return null;
        });
        assertThatThrownBy(() -> decode.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(gate.decodes()).isZero();
        gate.exitModel();
        decode.get(5, TimeUnit.SECONDS);
        assertThat(gate.decodes()).isEqualTo(1);
        assertThat(gate.modelRuns()).isZero();
    }

    @Test
    void aModelRunWaitsForTheDecodesInProgressAndNoNewDecodeStartsMeanwhile() throws Exception {
        CpuGate gate = new CpuGate();
        gate.enterDecode();
        gate.enterDecode();
        Future<?> model = threads.submit(() -> {
            gate.enterModel();
            return null;
        });
        assertThatThrownBy(() -> model.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        // the waiting model run bars new decodes, so a stream of decodes cannot keep it out
        Future<?> lateDecode = threads.submit(() -> {
            gate.enterDecode();
            return null;
        });
        assertThatThrownBy(() -> lateDecode.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        gate.exitDecode();
        assertThatThrownBy(() -> model.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        gate.exitDecode();
        model.get(5, TimeUnit.SECONDS);
        assertThat(gate.modelRuns()).isEqualTo(1);
        assertThat(lateDecode.isDone()).isFalse();
        gate.exitModel();
        lateDecode.get(5, TimeUnit.SECONDS);
        assertThat(gate.decodes()).isEqualTo(1);
    }

    @Test
    void modelRunsShareTheGateAndSoDoDecodes() throws Exception {
        CpuGate gate = new CpuGate();
        CountDownLatch both = new CountDownLatch(2);
        Future<?> a = threads.submit(() -> {
            gate.enterModel();
            both.countDown();
            return null;
        });
        Future<?> b = threads.submit(() -> {
            gate.enterModel();
            both.countDown();
            return null;
        });
        assertThat(both.await(5, TimeUnit.SECONDS)).isTrue();
        a.get();
        b.get();
        assertThat(gate.modelRuns()).isEqualTo(2);
        gate.exitModel();
        gate.exitModel();
        gate.enterDecode();
        gate.enterDecode();
        assertThat(gate.decodes()).isEqualTo(2);
    }

    @Test
    void unbalancedExitsAreRefused() {
        CpuGate gate = new CpuGate();
        assertThatThrownBy(gate::exitModel).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(gate::exitDecode).isInstanceOf(IllegalStateException.class);
    }
}
