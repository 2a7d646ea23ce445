package io.depthstream.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam as {@code torch.optim.Adam} computes it (no weight decay, no AMSGrad), with state that can be read and
 * restored: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², p ← p − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε), with t
 * counted per parameter. Parameters are keyed by a caller-chosen stable name.
 *
 * <p>Moment estimates live in the given manager on each parameter's device and are updated in place; an update
 * creates a few temporaries and frees them before returning. Not thread-safe.
 */
public final class AdamOptimizer {

    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<String, Constants> constants = new HashMap<>();

    /**
     * @param manager owns the moment estimates (the model's manager, so they are freed with it)
     * @param beta1 decay of the first moment, in [0, 1)
     * @param beta2 decay of the second moment, in [0, 1)
     * @param epsilon added to the denominator, positive
     */
    public AdamOptimizer(NDManager manager, double beta1, double beta2, double epsilon) {
        if (manager == null) {
            throw new IllegalArgumentException("a manager for the moment estimates is required");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must lie in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
        }
        this.manager = manager;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** β1. */
    public double beta1() {
        return beta1;
    }

    /** β2. */
    public double beta2() {
        return beta2;
    }

    /** ε. */
    public double epsilon() {
        return epsilon;
    }

    /**
     * Applies one update to {@code parameter} in place (outside autograd).
     *
     * @param name the parameter's stable name
     * @param gradient shaped like the parameter, on its device; left unchanged
     */
    public void update(String name, NDArray parameter, NDArray gradient, double learningRate) {
        if (!parameter.getShape().equals(gradient.getShape())) {
            throw new IllegalArgumentException("gradient " + gradient.getShape() + " does not match parameter "
                    + name + " " + parameter.getShape());
        }
        Slot slot = slots.get(name);
        if (slot == null) {
            slot = new Slot(0, zerosLike(parameter), zerosLike(parameter));
            slots.put(name, slot);
        } else {
            requireMatch(name, parameter, slot.first);
        }
        slot.steps++;
        double stepSize = learningRate / (1 - Math.pow(beta1, slot.steps));
        double correction2 = Math.sqrt(1 - Math.pow(beta2, slot.steps));
        boolean gradMode = JniUtils.isGradMode();
        if (gradMode) {
            // parameters are autograd leaves: in-place changes must not be recorded
            JniUtils.setGradMode(false);
        }
        try (NDManager scratch = manager.newSubManager(parameter.getDevice())) {
            DataType type = parameter.getDataType();
            Constants c = constants(parameter.getDevice(), type);
            slot.first.muli(c.beta1);
            NDArray scaled = gradient.mul(c.oneMinusBeta1);
            scaled.attach(scratch);
            slot.first.addi(scaled);

            slot.second.muli(c.beta2);
            NDArray squared = gradient.mul(gradient);
            squared.attach(scratch);
            squared.muli(c.oneMinusBeta2);
            slot.second.addi(squared);

            NDArray denominator = slot.second.sqrt();
            denominator.attach(scratch);
            denominator.divi(scalar(scratch, correction2, type)).addi(c.epsilon);
            NDArray step = slot.first.div(denominator);
            step.attach(scratch);
            step.muli(scalar(scratch, stepSize, type));
            parameter.subi(step);
        } finally {
            if (gradMode) {
                JniUtils.setGradMode(true);
            }
        }
    }

    /**
     * The state of every parameter updated so far, by name in first-update order. The arrays are the live
     * estimates: read them before the next update and do not close them.
     */
    public Map<String, AdamMoments> moments() {
        Map<String, AdamMoments> out = new LinkedHashMap<>();
        slots.forEach((name, slot) -> out.put(name, new AdamMoments(slot.steps, slot.first, slot.second)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Replaces the state of {@code name} with copies of {@code moments} on {@code parameter}'s device (the given
     * arrays stay the caller's).
     *
     * @throws IllegalArgumentException when the moments' shape differs from the parameter's
     */
    public void restore(String name, NDArray parameter, AdamMoments moments) {
        requireMatch(name, parameter, moments.first());
        NDArray first = zerosLike(parameter);
        NDArray second = zerosLike(parameter);
        moments.first().copyTo(first);
        moments.second().copyTo(second);
        Slot previous = slots.put(name, new Slot(moments.steps(), first, second));
        if (previous != null) {
            previous.first.close();
            previous.second.close();
        }
    }

    /** Forgets every parameter's state and frees the estimates. */
    public void clear() {
        for (Slot slot : slots.values()) {
            slot.first.close();
            slot.second.close();
        }
        slots.clear();
    }

    /** Created once per device and type: a scalar made on an accelerator costs a host-to-device copy. */
    private Constants constants(Device device, DataType type) {
        return constants.computeIfAbsent(device + "/" + type, key -> new Constants(
                scalar(manager, device, beta1, type), scalar(manager, device, 1 - beta1, type),
                scalar(manager, device, beta2, type), scalar(manager, device, 1 - beta2, type),
                scalar(manager, device, epsilon, type)));
    }

    private NDArray zerosLike(NDArray parameter) {
        return manager.zeros(parameter.getShape(), parameter.getDataType(), parameter.getDevice());
    }

    private static void requireMatch(String name, NDArray parameter, NDArray moment) {
        if (!parameter.getShape().equals(moment.getShape())) {
            throw new IllegalArgumentException("Adam state of " + name + " has shape " + moment.getShape()
                    + " but the parameter has " + parameter.getShape());
        }
    }

    /** A 0-d tensor: torch treats it like a Python scalar, cast to the parameter's type as torch.optim.Adam does. */
    private static NDArray scalar(NDManager scratch, double value, DataType type) {
        return scalar(scratch, scratch.getDevice(), value, type);
    }

    private static NDArray scalar(NDManager owner, Device device, double value, DataType type) {
        NDArray array = type == DataType.FLOAT64 ? owner.create(value) : owner.create((float) value);
        if (array.getDevice().equals(device)) {
            return array;
        }
        NDArray moved = array.toDevice(device, false);
        array.close();
        return moved;
    }

    private record Constants(NDArray beta1, NDArray oneMinusBeta1, NDArray beta2, NDArray oneMinusBeta2,
            NDArray epsilon) {}

    private static final class Slot {
        private long steps;
        private final NDArray first;
        private final NDArray second;

        Slot(long steps, NDArray first, NDArray second) {
            this.steps = steps;
            this.first = first;
            this.second = second;
        }
    }
}
