package io.depthstream.pipeline.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFilesTest {

    @Test
    void aFileNamesOnlyWhatItChanges() {
        StreamingConfig config = ConfigFiles.parse("""
                kafka:
                  bootstrap: broker:9093
                  topics: {frames: cams}
                model:
                  weights: /models/r18
                  batch-size: 8
                  camera-height-m: 1.65
                parallelism: 2
                """);

        StreamingConfig defaults = StreamingConfig.defaults();
        assertThat(config.kafka().bootstrap()).isEqualTo("broker:9093");
        assertThat(config.kafka().topics().frames()).isEqualTo("cams");
        assertThat(config.kafka().topics().depth()).isEqualTo(defaults.kafka().topics().depth());
        assertThat(config.model().weights()).isEqualTo("/models/r18");
        assertThat(config.model().batchSize()).isEqualTo(8);
        assertThat(config.model().cameraHeightM()).isEqualTo(1.65);
        assertThat(config.model().maxBatchDelayMs()).isEqualTo(defaults.model().maxBatchDelayMs());
        assertThat(config.triplets()).isEqualTo(defaults.triplets());
        assertThat(config.parallelism()).isEqualTo(2);
        assertThat(config.problem()).isNull();
    }

    @Test
    void jsonWorksAndPrintingRoundTrips() {
        StreamingConfig config = ConfigFiles.parse("{\"model\": {\"init\": \"random\", \"arch\": \"lite\"}}");
        assertThat(config.model().arch()).isEqualTo("lite");

        String printed = ConfigFiles.print(config);
        assertThat(printed).contains("max-batch-delay-ms: 50").contains("init: random");
        assertThat(ConfigFiles.parse(printed)).isEqualTo(config);
    }

    @Test
    void unknownKeysAreNamedWithTheirPath() {
        assertThatThrownBy(() -> ConfigFiles.parse("model:\n  batchsize: 3\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown setting 'model.batchsize'")
                .hasMessageContaining("batch-size");
    }

    @Test
    void theFramePolicyIsCheckedAndNamesItsValues() {
        StreamingConfig latest = ConfigFiles.parse(
                "model: {init: random, frame-policy: latest-frame, max-frame-age-ms: 300}");
        assertThat(latest.problem()).isNull();
        assertThat(latest.model().framePolicy()).isEqualTo("latest-frame");
        assertThat(latest.model().maxFrameAgeMs()).isEqualTo(300);

        assertThat(ConfigFiles.parse("model: {init: random, frame-policy: newest}").problem())
                .startsWith("model.frame-policy must be every-frame or latest-frame, got ").contains("newest");
        assertThat(ConfigFiles.parse("model: {init: random, max-frame-age-ms: 0}").problem())
                .isEqualTo("model.max-frame-age-ms must be at least 1, got 0");
    }

    @Test
    void aConfigWithoutAModelSaysWhatIsMissing() {
        assertThat(StreamingConfig.defaults().problem()).contains("model.weights is required");
        assertThat(ConfigFiles.parse("model: {init: random, batch-size: 0}").problem())
                .contains("batch-size must be at least 1");
    }
}
