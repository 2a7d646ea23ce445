package io.depthstream.model.online;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The most recent training triplets, from which replaying training steps draw their batches at random: a stream's
 * consecutive triplets show nearly the same scene, and batches of them make the steps pull one way after another.
 *
 * <p>Bounded: when full, an added element replaces the oldest. Not thread-safe; the training thread owns it.
 *
 * @param <T> the element type
 */
public final class ReplayMemory<T> {

    private final int capacity;
    private final List<T> elements;
    private int oldest;

    /** An empty memory holding at most {@code capacity} elements. */
    public ReplayMemory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.elements = new ArrayList<>(capacity);
    }

    /** Adds {@code element}, replacing the oldest one when full. */
    public void add(T element) {
        if (element == null) {
            throw new IllegalArgumentException("element is required");
        }
        if (elements.size() < capacity) {
            elements.add(element);
        } else {
            elements.set(oldest, element);
            oldest = (oldest + 1) % capacity;
        }
    }

    /** Elements held now. */
    public int size() {
        return elements.size();
    }

    /**
     * {@code n} distinct elements drawn uniformly at random (each subset equally likely), in draw order; the memory is
     * unchanged.
     *
     * @throws IllegalArgumentException when fewer than {@code n} are held
     */
    public List<T> draw(int n, Random random) {
        if (n < 1 || n > elements.size()) {
            throw new IllegalArgumentException("cannot draw " + n + " of " + elements.size() + " elements");
        }
        int[] index = new int[elements.size()];
        for (int i = 0; i < index.length; i++) {
            index[i] = i;
        }
        List<T> drawn = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // a partial Fisher-Yates shuffle
            int j = i + random.nextInt(index.length - i);
            int chosen = index[j];
            index[j] = index[i];
            index[i] = chosen;
            drawn.add(elements.get(chosen));
        }
        return drawn;
    }
}
