package io.depthstream.model.io;

import java.nio.file.Path;

/** Weights that cannot be used: a missing, corrupt or mismatching weights directory or checkpoint, named by path. */
public final class InvalidWeightsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param path the file or directory at fault; @param problem what is wrong with it */
    public InvalidWeightsException(Path path, String problem) {
        super(path + ": " + problem);
    }

    /** As above, keeping the underlying cause. */
    public InvalidWeightsException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
    }
}
