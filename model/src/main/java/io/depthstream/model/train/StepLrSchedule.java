package io.depthstream.model.train;

import java.io.Serializable;

/**
 * PyTorch's StepLR: the learning rate starts at {@code initial} and is multiplied by {@code gamma} every
 * {@code stepEpochs} epochs (monodepth2: 1e-4, ×0.1 after epoch 15 of 20).
 *
 * @param initial learning rate of epoch 0
 * @param gamma factor applied at each step
 * @param stepEpochs epochs between steps (≥ 1)
 */
public record StepLrSchedule(double initial, double gamma, int stepEpochs) implements Serializable {

    public StepLrSchedule {
        if (!(initial > 0) || !(gamma > 0) || stepEpochs < 1) {
            throw new IllegalArgumentException("need initial > 0, gamma > 0, stepEpochs >= 1; got " + initial + ", "
                    + gamma + ", " + stepEpochs);
        }
    }

    /** Monodepth2's schedule. */
    public static StepLrSchedule monodepth2() {
        return new StepLrSchedule(1e-4, 0.1, 15);
    }

    /** The learning rate during {@code epoch} (0-based). */
    public double rateAt(int epoch) {
        return initial * Math.pow(gamma, Math.floorDiv(epoch, stepEpochs));
    }
}
