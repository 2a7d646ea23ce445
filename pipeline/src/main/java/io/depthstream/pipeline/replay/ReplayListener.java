package io.depthstream.pipeline.replay;

/** Follows a replay's progress (called on the replaying thread). */
public interface ReplayListener {

    /** Ignores everything. */
    ReplayListener NONE = new ReplayListener() { };

    /** Pass {@code pass} (from 1) begins; it sends {@code frames} frames over all drives. */
    default void passStarted(int pass, long frames) {
    }

    /** One frame of {@code bytes} image bytes was handed to the producer. */
    default void frameSent(ReplayDrive drive, long seq, long bytes) {
    }
}
