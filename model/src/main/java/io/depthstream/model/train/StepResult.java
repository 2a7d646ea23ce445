package io.depthstream.model.train;

/**
 * What one training step did.
 *
 * @param step steps taken so far, this one included
 * @param report the objective before the update (training-mode batch norm, augmented inputs)
 * @param learningRate the learning rate applied
 * @param gradientNorm global L2 norm of the gradients before clipping
 * @param applied false when the loss or a gradient was not finite and the update was skipped
 * @param phases where the step's time went
 */
public record StepResult(long step, LossReport report, double learningRate, double gradientNorm, boolean applied,
                         StepPhases phases) {}
