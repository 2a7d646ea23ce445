package io.depthstream.model.online;

import io.depthstream.model.train.LossReport;

/**
 * What one online training step did.
 *
 * @param step training steps taken so far, skipped ones included, this one included
 * @param samples triplets the step consumed from the training buffer
 * @param loss the objective's total on the batch before the update (NaN or infinite when skipped)
 * @param applied false when the loss or a gradient was not finite: the update was skipped and the weights (batch-norm
 *     running statistics included) were restored to the last good snapshot
 * @param report the objective's parts
 */
public record StepOutcome(long step, int samples, double loss, boolean applied, LossReport report) {}
