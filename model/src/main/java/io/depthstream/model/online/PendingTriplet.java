package io.depthstream.model.online;

import io.depthstream.model.train.TrainingSample;

/**
 * A triplet waiting in the learner's buffer, expanded to the float frames a training step takes only when it is
 * trained on or held out: a stream can keep its frames compact (8-bit) while they wait.
 */
public interface PendingTriplet {

    /** Values per frame once expanded (3·H·W). */
    int frameValues();

    /** Whether both neighbours are present. */
    boolean complete();

    /** The triplet as the training step takes it. */
    TrainingSample expand();

    /** A triplet already in float form. */
    static PendingTriplet of(TrainingSample sample) {
        return new PendingTriplet() {
            @Override
            public int frameValues() {
                return sample.current().length;
            }

            @Override
            public boolean complete() {
                return sample.previous() != null && sample.next() != null;
            }

            @Override
            public TrainingSample expand() {
                return sample;
            }
        };
    }
}
