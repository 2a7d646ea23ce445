package io.depthstream.it;

import ai.djl.ndarray.NDManager;

import java.time.Duration;

/**
 * Counts the engine's live native tensors: every NDArray still attached to a manager anywhere below DJL's system
 * manager. In DJL 0.25 each base manager is a child of the system manager and each sub-manager a child of its
 * parent; an array leaves its manager only when it is closed (by itself or with its manager), so an array that was
 * never closed stays counted even after Java dropped the last reference to it. Everything in this JVM counts: the
 * Flink MiniCluster's operators run here.
 */
final class LiveArrays {

    private LiveArrays() {}

    /** The live arrays now. */
    static int count() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /**
     * The fewest live arrays seen in {@code readings} readings spread over {@code window}: the arrays that outlive
     * every batch (model parameters, and leaks), without the temporaries of a batch that happens to be running.
     */
    static int floor(Duration window, int readings) throws InterruptedException {
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < readings; i++) {
            fewest = Math.min(fewest, count());
            Thread.sleep(window.toMillis() / readings);
        }
        return fewest;
    }
}
