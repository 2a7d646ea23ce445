package io.depthstream.model.online;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO between a producer that must never wait (the stream) and a training thread: when full, an offer
 * drops the oldest element and counts it.
 *
 * <p>Thread-safe. The lock guards constant-time bookkeeping only (a drain moves at most a batch of references), so an
 * offer never waits for room or for a training step.
 *
 * @param <T> the element type
 */
public final class SampleBuffer<T> {

    private final int capacity;
    private final ArrayDeque<T> queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private long offered;
    private long dropped;
    private long taken;

    /** An empty buffer holding at most {@code capacity} elements. */
    public SampleBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.queue = new ArrayDeque<>(capacity);
    }

    /** Appends {@code element}, dropping the oldest one first when the buffer is full. */
    public void offer(T element) {
        if (element == null) {
            throw new IllegalArgumentException("element is required");
        }
        lock.lock();
        try {
            if (queue.size() == capacity) {
                queue.pollFirst();
                dropped++;
            }
            queue.addLast(element);
            offered++;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The {@code n} oldest elements, removed, oldest first; empty (and nothing removed) when fewer are held. */
    public List<T> drainBatch(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + n);
        }
        lock.lock();
        try {
            if (queue.size() < n) {
                return List.of();
            }
            List<T> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(queue.pollFirst());
            }
            taken += n;
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (on the consumer's thread only) until at least {@code n} elements are held or {@code timeout} passes.
     *
     * @return whether {@code n} elements are held
     */
    public boolean awaitSize(int n, Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (queue.size() < n) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = arrived.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Every element held, removed, oldest first (empty when none is held). */
    public List<T> drainAll() {
        lock.lock();
        try {
            List<T> all = new ArrayList<>(queue);
            queue.clear();
            taken += all.size();
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Elements held now. */
    public int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** The most elements it holds. */
    public int capacity() {
        return capacity;
    }

    /** Elements offered so far. */
    public long offered() {
        lock.lock();
        try {
            return offered;
        } finally {
            lock.unlock();
        }
    }

    /** Elements dropped unconsumed to make room. */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Elements removed by {@link #drainBatch}. */
    public long taken() {
        lock.lock();
        try {
            return taken;
        } finally {
            lock.unlock();
        }
    }
}
