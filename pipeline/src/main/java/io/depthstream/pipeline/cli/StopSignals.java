package io.depthstream.pipeline.cli;

import sun.misc.Signal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * SIGINT (Ctrl-C) and SIGTERM as requests to stop, instead of the JVM's immediate shutdown: the first asks for a
 * savepoint, a second one gives up waiting for it.
 */
final class StopSignals {

    private final CountDownLatch first = new CountDownLatch(1);
    private final CountDownLatch second = new CountDownLatch(1);

    private StopSignals() {}

    /** Takes over SIGINT and SIGTERM for the rest of this JVM's life. */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> {
                if (signals.first.getCount() > 0) {
                    signals.first.countDown();
                } else {
                    signals.second.countDown();
                }
            });
        }
        return signals;
    }

    /** Whether a stop was asked for, waiting up to {@code wait} for one. */
    boolean requested(Duration wait) throws InterruptedException {
        return first.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The value of {@code work} once done, waiting at most {@code timeout}.
     *
     * @throws TimeoutException when the time is up or a second signal came first
     */
    <T> T awaitOrSecondSignal(CompletableFuture<T> work, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!work.isDone()) {
            if (second.await(100, TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("a second signal came before the savepoint was complete");
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the savepoint took longer than " + timeout.toSeconds() + " s");
            }
        }
        return work.get();
    }
}
