package io.depthstream.operators.triplet;

import io.depthstream.operators.codec.Frame;

/**
 * A centre frame with its temporal neighbours from the same camera; a neighbour is null at a stream start, after
 * a gap or when the camera went idle.
 *
 * @param prev frame seq − 1, or null
 * @param cur the centre frame, never null
 * @param next frame seq + 1, or null
 */
public record Triplet(Frame prev, Frame cur, Frame next) {

    public Triplet {
        if (cur == null) {
            throw new IllegalArgumentException("a triplet needs its centre frame");
        }
    }

    /** The camera all three frames come from. */
    public String cameraId() {
        return cur.cameraId();
    }
}
