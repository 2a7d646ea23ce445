package io.depthstream.model.online;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class SampleBufferTest {

    @Test
    void aFullBufferDropsItsOldestAndCountsIt() {
        SampleBuffer<Integer> buffer = new SampleBuffer<>(3);
        IntStream.rangeClosed(1, 5).forEach(buffer::offer);

        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.offered()).isEqualTo(5);
        assertThat(buffer.dropped()).isEqualTo(2);
        assertThat(buffer.drainBatch(3)).containsExactly(3, 4, 5);
        assertThat(buffer.taken()).isEqualTo(3);
    }

    @Test
    void drainingIsAllOrNothing() {
        SampleBuffer<Integer> buffer = new SampleBuffer<>(8);
        IntStream.rangeClosed(1, 5).forEach(buffer::offer);

        assertThat(buffer.drainBatch(2)).containsExactly(1, 2);
        assertThat(buffer.drainBatch(4)).isEmpty();
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.drainBatch(3)).containsExactly(3, 4, 5);
        assertThat(buffer.taken()).isEqualTo(5);
        assertThat(buffer.dropped()).isZero();
    }

    @Test
    void offersNeverWaitWhileTheConsumerWaitsOrIsSlow() throws Exception {
        SampleBuffer<Integer> buffer = new SampleBuffer<>(4);
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicBoolean consumerSawBatch = new AtomicBoolean();
        Thread consumer = new Thread(() -> {
            try {
                waiting.countDown();
                consumerSawBatch.set(buffer.awaitSize(4, Duration.ofSeconds(10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        waiting.await();

        // a producer far faster than any consumer: the buffer stays full and every offer returns at once
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 200_000; i++) {
                buffer.offer(i);
            }
        });
        consumer.join(10_000);

        assertThat(consumerSawBatch).isTrue();
        assertThat(buffer.size()).isEqualTo(4);
        assertThat(buffer.dropped()).isEqualTo(200_000 - 4);
        assertThat(buffer.drainBatch(4)).containsExactly(199_996, 199_997, 199_998, 199_999);
    }

    @Test
    void awaitingTimesOutWhenTooFewArrive() throws InterruptedException {
        SampleBuffer<Integer> buffer = new SampleBuffer<>(4);
        buffer.offer(1);

        long start = System.nanoTime();
        assertThat(buffer.awaitSize(2, Duration.ofMillis(50))).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
        assertThat(buffer.awaitSize(1, Duration.ZERO)).isTrue();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new SampleBuffer<Integer>(0)).hasMessage("capacity must be at least 1, got 0");
        SampleBuffer<Integer> buffer = new SampleBuffer<>(1);
        assertThatThrownBy(() -> buffer.offer(null)).hasMessage("element is required");
        assertThatThrownBy(() -> buffer.drainBatch(0)).hasMessage("batch size must be at least 1, got 0");
        assertThat(List.of(buffer.size(), buffer.capacity())).containsExactly(0, 1);
    }
}
