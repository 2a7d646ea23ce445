package io.depthstream.model.net;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelConfigTest {

    @Test
    void monodepth2DefaultsAreTheSeedOptions() {
        ModelConfig config = ModelConfig.monodepth2(Architecture.RESNET18);

        assertThat(config.height()).isEqualTo(192);
        assertThat(config.width()).isEqualTo(640);
        assertThat(config.minDepth()).isEqualTo(0.1);
        assertThat(config.maxDepth()).isEqualTo(100.0);
        assertThat(config.scales()).containsExactly(0, 1, 2, 3);
        assertThat(Architecture.RESNET50.featureChannels()).containsExactly(64, 256, 512, 1024, 2048);
        assertThat(Architecture.RESNET18.featureChannels()).containsExactly(64, 64, 128, 256, 512);
        assertThat(Architecture.LITE.featureChannels()).containsExactly(16, 16, 32, 64, 128);
    }

    @Test
    void invalidConfigurationsAreExplained() {
        assertThatThrownBy(() -> ModelConfig.monodepth2(Architecture.LITE).withSize(100, 640))
                .hasMessageContaining("multiples of 32");
        assertThatThrownBy(() -> ModelConfig.monodepth2(Architecture.LITE).withSize(32, 640))
                .hasMessageContaining("at least 64");
        assertThatThrownBy(() -> new ModelConfig(Architecture.LITE, 64, 64, 10, 1, List.of(0)))
                .hasMessageContaining("min depth < max depth");
        assertThatThrownBy(() -> new ModelConfig(Architecture.LITE, 64, 64, 0.1, 100, List.of(1, 2)))
                .hasMessageContaining("must include 0");
        assertThatThrownBy(() -> Architecture.parse("vgg")).hasMessageContaining("resnet18, resnet50 or lite");
        assertThat(Architecture.parse("ResNet50")).isEqualTo(Architecture.RESNET50);
    }
}
