package io.depthstream.pipeline.bench;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreadCpuSamplerTest {

    @Test
    void countsTheCpuTimeOfTheThreadsWithTheNameAndNoneOfTheOthers() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isCurrentThreadCpuTimeSupported());
        CountDownLatch busyDone = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong busyCpuNs = new AtomicLong();
        Thread busy = new Thread(() -> {
            double sink = 0;
            while (threads.getCurrentThreadCpuTime() < 300_000_000L) {
                for (int i = 0; i < 100_000; i++) {
                    sink += Math.sqrt(i + sink);
                }
            }
            busyCpuNs.set(threads.getCurrentThreadCpuTime());
            busyDone.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-probe-busy-thread");
        long from = System.currentTimeMillis();

        ThreadCpuSampler.Usage usage;
        try (ThreadCpuSampler sampler = ThreadCpuSampler.start("bench-probe-busy-thread", 20)) {
            busy.start();
            busyDone.await();
            sampler.close();
            usage = sampler.between(from, System.currentTimeMillis() + 1);
        } finally {
            release.countDown();
            busy.join();
        }

        assertThat(usage.matchedThreads()).isEqualTo(1);
        // the thread's own CPU clock and the scheduler's accounting of it, read on either side of its end of work
        assertThat(usage.matchedCpuSeconds()).isGreaterThanOrEqualTo(busyCpuNs.get() / 1e9 * 0.99)
                .isLessThanOrEqualTo(usage.processCpuSeconds());
    }

    @Test
    void aSamplerOfNothingReportsNoThreadsAndNoTime() {
        try (ThreadCpuSampler sampler = ThreadCpuSampler.none()) {
            ThreadCpuSampler.Usage usage = sampler.between(0, System.currentTimeMillis());
            assertThat(usage.matchedThreads()).isZero();
            assertThat(usage.matchedCpuSeconds()).isZero();
            assertThat(usage.processCpuSeconds()).isZero();
        }
    }
}
