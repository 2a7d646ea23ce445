package io.depthstream.operators.codec;

/** Why a frame record cannot become a {@link Frame}; its message is the one-line {@code ds.error} reason. */
public final class InvalidFrameException extends Exception {

    private static final long serialVersionUID = 1L;

    /** A rejection for {@code reason}. */
    public InvalidFrameException(String reason) {
        super(reason);
    }
}
