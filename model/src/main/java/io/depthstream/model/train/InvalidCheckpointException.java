package io.depthstream.model.train;

import java.nio.file.Path;

/** Training state that cannot be used: a missing, corrupt or mismatching checkpoint file, named by path. */
public final class InvalidCheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /** @param path the file or directory at fault; @param problem what is wrong with it */
    public InvalidCheckpointException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    /** As above, keeping the underlying cause. */
    public InvalidCheckpointException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** The file or directory at fault. */
    public Path path() {
        return path;
    }
}
