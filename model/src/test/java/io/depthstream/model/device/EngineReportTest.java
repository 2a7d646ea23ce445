package io.depthstream.model.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EngineReportTest {

    @Test
    void engineLoadsOfflineFromTheClassPathJars() {
        assertThat(System.getProperty("offline")).as("surefire runs with -Doffline=true").isEqualTo("true");

        EngineReport report = EngineReport.probe();

        assertThat(report.problems()).isEmpty();
        assertThat(report.healthy()).isTrue();
        assertThat(report.engineVersion()).isEqualTo("2.0.1");
        assertThat(report.djlVersion()).isEqualTo("0.25.0");
        assertThat(report.devices()).contains(Device.cpu().toString());
        assertThat(report.intraOpThreads()).isPositive();
        assertThat(report.interOpThreads()).isPositive();
        assertThat(report.libtorchPath()).contains("2.0.1");
    }

    @Test
    void convolutionOnTheEngineGivesTheExactNumbers() {
        try (NDManager manager = Engine.getEngine(EngineReport.ENGINE_NAME).newBaseManager(Device.cpu())) {
            // A 4x4 image 0..15 convolved with a 3x3 all-ones kernel: each output is the sum of a 3x3 window.
            float[] pixels = new float[16];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = i;
            }
            NDArray image = manager.create(pixels, new Shape(1, 1, 4, 4));
            NDArray kernel = manager.ones(new Shape(1, 1, 3, 3));
            NDArray out = Conv2d.conv2d(
                    image, kernel, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();

            assertThat(out.getShape()).isEqualTo(new Shape(1, 1, 2, 2));
            // windows: rows 0-2 x cols 0-2 = 0+1+2+4+5+6+8+9+10 = 45; shifted by 1 col adds 3, by 1 row adds 12
            assertThat(out.toFloatArray()).containsExactly(new float[] {45, 54, 81, 90}, within(0f));
        }
    }
}
