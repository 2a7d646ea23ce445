package io.depthstream.operators.learner;

/** A model store could not be read or written, or lacks the version asked for; the message names the store. */
public final class ModelStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure with its reason. */
    public ModelStoreException(String message) {
        super(message);
    }

    /** A failure caused by {@code cause} (usually an I/O error of the file system). */
    public ModelStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
