package io.depthstream.model.io;

/** A PyTorch checkpoint that cannot be read; the message names the file and the problem. */
public class TorchCheckpointException extends RuntimeException {

    public TorchCheckpointException(String message) {
        super(message);
    }

    public TorchCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
