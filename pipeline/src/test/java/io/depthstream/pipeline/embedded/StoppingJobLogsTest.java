package io.depthstream.pipeline.embedded;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StoppingJobLogsTest {

    private static final String LOGGER = "org.apache.flink.runtime.checkpoint.CheckpointFailureManager";

    @Test
    void quietsDeclinedCheckpointWarningsUnlessVerbose() {
        Level root = LogManager.getRootLogger().getLevel();
        try {
            Configurator.setRootLevel(Level.INFO);
            Configurator.setLevel(LOGGER, Level.WARN);
            StoppingJobLogs.quietDeclinedCheckpoints();
            assertThat(LogManager.getLogger(LOGGER).isWarnEnabled()).as("--verbose keeps the warning").isTrue();

            Configurator.setRootLevel(Level.WARN);
            Configurator.setLevel(LOGGER, Level.WARN);
            StoppingJobLogs.quietDeclinedCheckpoints();
            assertThat(LogManager.getLogger(LOGGER).isWarnEnabled()).isFalse();
            assertThat(LogManager.getLogger(LOGGER).isErrorEnabled()).isTrue();
        } finally {
            Configurator.setRootLevel(root);
            Configurator.setLevel(LOGGER, root);
        }
    }
}
