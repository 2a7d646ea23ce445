package io.depthstream.model.train;

/**
 * Where one training step's time went, in seconds of wall-clock time on the calling thread. On a GPU, where native
 * calls return before the device finishes, a phase includes the wait for earlier phases' work whenever it reads a
 * value back (the loss, the gradient norm); on the CPU every phase is its own work.
 *
 * @param data the batch: augmentation and copying the images into native memory
 * @param forward the networks and the objective
 * @param backward the gradients
 * @param optimizer the gradient norm, clipping, Adam and clearing the gradients; 0 when the update was skipped
 */
public record StepPhases(double data, double forward, double backward, double optimizer) {}
