package io.depthstream.pipeline.embedded;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/** Log levels for the moment a local run drains and stops its streaming job (`demo`, `bench`). */
public final class StoppingJobLogs {

    private static final String CHECKPOINT_FAILURES = "org.apache.flink.runtime.checkpoint.CheckpointFailureManager";

    private StoppingJobLogs() {}

    /**
     * Draining declines the periodic checkpoint in flight ("task is closing"): expected, and its warning with a
     * stack trace would read like a failure of the run. Called just before the job is stopped, so failures while it
     * ran still show; at --verbose (root logger at INFO) nothing changes.
     */
    public static void quietDeclinedCheckpoints() {
        if (!LogManager.getRootLogger().isInfoEnabled()) {
            Configurator.setLevel(CHECKPOINT_FAILURES, Level.ERROR);
        }
    }
}
