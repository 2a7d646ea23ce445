package io.depthstream.operators.training;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.train.Augmentation;

/** A split line ready for the learner: frames at network size with their intrinsics and the augmentation drawn for it, or a skip. */
public record PreparedTriplet(int epoch, int line, String description, RgbImage previous, RgbImage current, RgbImage next,
        Intrinsics intrinsics, SemanticMap semantic, Augmentation augmentation, String skipReason) {

    /** Whether the line cannot be trained on ({@link #skipReason} says why). */
    public boolean isSkipped() {
        return skipReason != null;
    }
}
