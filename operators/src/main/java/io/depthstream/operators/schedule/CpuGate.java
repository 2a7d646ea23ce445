package io.depthstream.operators.schedule;

/**
 * Takes turns on the CPU between model runs and frame decoding within one JVM (one TaskManager): any number of model
 * runs may hold the gate together, or any number of decodes, never both. A model run that asks waits for the decodes
 * in progress to end, and from then on no new decode starts until no model run holds or wants the gate.
 *
 * <p>Why: on a CPU whose cores all belong to PyTorch's intra-op team, every operator of a model run ends at a barrier
 * that waits for the team's slowest thread. A decoder thread that takes one of those cores stalls the whole team, so
 * decoding next to inference costs inference more than the decode's own CPU time. Taking turns loses nothing there:
 * the cores are busy either way, and each side runs at full speed during its turn.
 *
 * <p>The gate is shared by everything in the JVM that loaded this class ({@link #shared()}): the inference and decode
 * subtasks of one job on one TaskManager, and the jobs of a MiniCluster.
 */
public final class CpuGate {

    private static final CpuGate SHARED = new CpuGate();

    private int modelRuns;
    private int modelRunsWaiting;
    private int decodes;

    /** The gate of this JVM. */
    public static CpuGate shared() {
        return SHARED;
    }

    /** A gate of its own, for tests. */
    public CpuGate() {}

    /** Waits until no decode runs, then holds the gate for a model run; {@link #exitModel()} releases it. */
    public synchronized void enterModel() throws InterruptedException {
        modelRunsWaiting++;
        try {
            while (decodes > 0) {
                wait();
            }
        } finally {
            modelRunsWaiting--;
        }
        modelRuns++;
    }

    /** Ends a model run begun with {@link #enterModel()}. */
    public synchronized void exitModel() {
        if (modelRuns == 0) {
            throw new IllegalStateException("exitModel without enterModel");
        }
        modelRuns--;
        if (modelRuns == 0) {
            notifyAll();
        }
    }

    /**
     * Waits until no model run holds or wants the gate, then holds it for one decode; {@link #exitDecode()} releases
     * it.
     */
    public synchronized void enterDecode() throws InterruptedException {
        while (modelRuns > 0 || modelRunsWaiting > 0) {
            wait();
        }
        decodes++;
    }

    /** Ends a decode begun with {@link #enterDecode()}. */
    public synchronized void exitDecode() {
        if (decodes == 0) {
            throw new IllegalStateException("exitDecode without enterDecode");
        }
        decodes--;
        if (decodes == 0) {
            notifyAll();
        }
    }

    /** Model runs holding the gate now. */
    public synchronized int modelRuns() {
        return modelRuns;
    }

    /** Decodes holding the gate now. */
    public synchronized int decodes() {
        return decodes;
    }
}
