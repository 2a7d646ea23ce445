package io.depthstream.operators.fault;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * A configuration that cannot run, found in a running task (weights that the TaskManager cannot load, a savepoint
 * that does not fit the job): Flink fails the job once instead of restarting it, because a restart would meet the
 * same fault again. Transient faults (a broker or file system hiccup) must not use it: they restart with back-off.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class UnrunnableJobException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A fault described by {@code message} (one line), caused by {@code cause}. */
    public UnrunnableJobException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The message of the first {@link UnrunnableJobException} in {@code failure}'s causes, or null when there is
     * none: what a command prints as its one error line when a job failed for good.
     */
    public static String messageIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnrunnableJobException) {
                return t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
