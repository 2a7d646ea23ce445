package io.depthstream.operators.schedule;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.depthstream.model.device.DeviceChoice;

import java.util.Locale;

/**
 * When frames are decoded relative to inference ({@code model.decode}): next to it on spare cores, or in turns with
 * it when inference already has every core.
 */
public enum DecodeLayout {
    /** {@link #BETWEEN_BATCHES} for inference on the CPU with an intra-op thread per core, else {@link #OVERLAPPED}. */
    AUTO,
    /**
     * Frames are decoded while inference runs: free where inference runs on a GPU or leaves cores spare, costly
     * where its thread team has every core.
     */
    OVERLAPPED,
    /**
     * Frames are decoded only while no batch runs, on every core ({@link CpuGate}); inference runs alone during its
     * batches.
     */
    BETWEEN_BATCHES;

    /** The configuration spelling: {@code auto}, {@code overlapped}, {@code between-batches}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a configuration value.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DecodeLayout parse(String value) {
        for (DecodeLayout layout : values()) {
            if (layout.configName().equals(value)) {
                return layout;
            }
        }
        throw new IllegalArgumentException("model.decode can only be auto, overlapped or between-batches, got "
                + (value == null ? "nothing" : "'" + value + "'"));
    }

    /**
     * What this setting means on a machine.
     *
     * @param modelOnGpu whether inference runs on a GPU there
     * @param intraOpThreads PyTorch's intra-op threads there
     * @param cores the cores the JVM may use there
     */
    public DecodePlan resolve(boolean modelOnGpu, int intraOpThreads, int cores) {
        String where = modelOnGpu ? "inference on a GPU"
                : "inference on the CPU with " + intraOpThreads + " intra-op thread(s) on " + cores + " core(s)";
        DecodeLayout chosen = this;
        if (this == AUTO) {
            chosen = !modelOnGpu && intraOpThreads >= cores ? BETWEEN_BATCHES : OVERLAPPED;
        }
        int threads;
        if (chosen == BETWEEN_BATCHES || modelOnGpu) {
            threads = cores;
        } else {
            // the cores PyTorch's team leaves free; one at least, as decoding always had
            threads = Math.max(1, cores - intraOpThreads);
        }
        return new DecodePlan(chosen, Math.max(1, threads), (this == AUTO ? "auto: " : "set: ") + where);
    }

    /**
     * What this setting means in this JVM: whether {@code device} puts inference on a GPU here, PyTorch's intra-op
     * threads and the cores the JVM may use. Loads the engine.
     */
    public DecodePlan resolveHere(DeviceChoice device) {
        Engine engine = Engine.getInstance();
        boolean gpu;
        try {
            gpu = device.resolve(engine.getGpuCount(), 0).isGpu();
        } catch (IllegalStateException e) {
            // gpu demanded where there is none: inference fails with its own message; decoding plans for the CPU
            gpu = false;
        }
        return resolve(gpu, JniUtils.getNumThreads(), Runtime.getRuntime().availableProcessors());
    }
}
