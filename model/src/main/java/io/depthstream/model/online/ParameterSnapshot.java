package io.depthstream.model.online;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A copy of a fixed list of parameters (weights and batch-norm running statistics alike) on their own device, taken
 * and put back in place. Both directions copy device to device into storage allocated once: no host round trip, no
 * allocation per step, and the live parameters keep their storage (DJL's {@code copyTo} would swap it for a host
 * buffer on the CPU).
 */
final class ParameterSnapshot implements AutoCloseable {

    private final NDManager manager;
    private final List<Parameter> parameters;
    private final List<NDArray> copies;

    /** A snapshot of {@code parameters}' current values, its storage in a sub-manager of {@code parent}. */
    ParameterSnapshot(NDManager parent, List<Parameter> parameters) {
        this.manager = parent.newSubManager();
        this.parameters = List.copyOf(parameters);
        this.copies = new ArrayList<>(parameters.size());
        try {
            for (Parameter parameter : parameters) {
                NDArray live = parameter.getArray();
                copies.add(manager.zeros(live.getShape(), live.getDataType(), live.getDevice()));
            }
            capture();
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Overwrites this snapshot with the parameters' current values. */
    void capture() {
        for (int i = 0; i < copies.size(); i++) {
            copy(parameters.get(i).getArray(), copies.get(i));
        }
    }

    /** Overwrites the parameters with this snapshot's values (the caller tells the model its parameters changed). */
    void restore() {
        for (int i = 0; i < copies.size(); i++) {
            copy(copies.get(i), parameters.get(i).getArray());
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Overwrites each of {@code targets} in place with the value of the parameter at the same position in {@code sources}. */
    static void copyValues(List<Parameter> sources, List<Parameter> targets) {
        if (sources.size() != targets.size()) {
            throw new IllegalStateException(sources.size() + " source parameters for " + targets.size() + " targets");
        }
        for (int i = 0; i < sources.size(); i++) {
            copy(sources.get(i).getArray(), targets.get(i).getArray());
        }
    }

    /**
     * {@code target[:, :, ...] = source} (torch's index_put_ on full slices): in place on the device. Autograd is off
     * for it, since the live parameters are leaves that require gradients and must not record an in-place copy.
     */
    private static void copy(NDArray source, NDArray target) {
        Shape shape = target.getShape();
        if (!shape.equals(source.getShape())) {
            throw new IllegalStateException("snapshot shape " + source.getShape() + " differs from " + shape);
        }
        int rank = shape.dimension();
        if (rank == 0) {
            source.copyTo(target);
            return;
        }
        long[] from = new long[rank];
        long[] to = shape.getShape();
        long[] step = new long[rank];
        Arrays.fill(step, 1);
        boolean gradMode = JniUtils.isGradMode();
        if (gradMode) {
            JniUtils.setGradMode(false);
        }
        try {
            JniUtils.indexSet((PtNDArray) target, (PtNDArray) source, from, to, step);
        } finally {
            if (gradMode) {
                JniUtils.setGradMode(true);
            }
        }
    }
}
