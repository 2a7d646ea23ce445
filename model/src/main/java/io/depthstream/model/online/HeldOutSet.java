package io.depthstream.model.online;

import io.depthstream.model.train.TrainingSample;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The most recent held-out triplets, a bounded ring (the oldest leaves first): what candidates are judged on, never
 * trained on. Thread-safe: the stream adds while the training thread takes snapshots.
 */
public final class HeldOutSet {

    private final int capacity;
    private final ArrayDeque<TrainingSample> ring;
    private long added;

    /** An empty set keeping at most {@code capacity} triplets. */
    public HeldOutSet(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
    }

    /** Adds a triplet, evicting the oldest when full. */
    public synchronized void add(TrainingSample sample) {
        if (sample == null) {
            throw new IllegalArgumentException("sample is required");
        }
        if (ring.size() == capacity) {
            ring.pollFirst();
        }
        ring.addLast(sample);
        added++;
    }

    /** The triplets held now, oldest first; later additions do not change the returned list. */
    public synchronized List<TrainingSample> snapshot() {
        return List.copyOf(ring);
    }

    /** Triplets held now. */
    public synchronized int size() {
        return ring.size();
    }

    /** The most triplets it keeps. */
    public int capacity() {
        return capacity;
    }

    /** Triplets added so far, evicted ones included. */
    public synchronized long added() {
        return added;
    }
}
