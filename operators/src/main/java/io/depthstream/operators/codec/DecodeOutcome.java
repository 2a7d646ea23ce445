package io.depthstream.operators.codec;

/**
 * What decoding one frame record gave: the frame, or the record rejected with its reason (exactly one is set).
 *
 * @param frame the frame at network resolution, or null
 * @param rejected the record for the dead-letter topic, or null
 */
public record DecodeOutcome(Frame frame, RejectedRecord rejected) {

    public DecodeOutcome {
        if ((frame == null) == (rejected == null)) {
            throw new IllegalArgumentException("a decode outcome is a frame or a rejected record, exactly one");
        }
    }

    /** A decoded frame. */
    public static DecodeOutcome decoded(Frame frame) {
        return new DecodeOutcome(frame, null);
    }

    /** A rejected record. */
    public static DecodeOutcome rejected(RejectedRecord record) {
        return new DecodeOutcome(null, record);
    }
}
