package io.depthstream.operators.inference;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.StreetLayout;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.geometry.Intrinsics;
import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GroundPlaneScaleTest {

    private static final int WIDTH = 416;
    private static final int HEIGHT = 128;

    @Test
    void recoversMetricDepthOfASyntheticDriveFromTheCameraHeight() {
        SyntheticDrive drive = SyntheticDrive.generate(21, new DriveOptions(12, WIDTH, HEIGHT, true, false));
        GroundPlaneScale ground = new GroundPlaneScale(StreetLayout.CAMERA_HEIGHT);
        double[] factors = {0.0173, 0.41, 7.9};
        for (int frame = 0; frame < 12; frame += 4) {
            DepthMap truth = drive.render(frame).depth();
            double factor = factors[frame / 4];
            float[] relative = new float[truth.depth().length];
            for (int i = 0; i < relative.length; i++) {
                relative[i] = (float) (truth.depth()[i] * factor);
            }
            OptionalDouble scale = ground.scale(relative, WIDTH, HEIGHT, drive.intrinsics());
            assertThat(scale).as("frame %d", frame).isPresent();
            // the recovered metric depth is the true depth within 3 %, whatever the relative unit was
            assertThat(scale.getAsDouble() * factor).as("frame %d", frame).isCloseTo(1.0, within(0.03));
        }
    }

    @Test
    void theSameDepthMapGivesTheSameScale() {
        SyntheticDrive drive = SyntheticDrive.generate(5, new DriveOptions(3, WIDTH, HEIGHT, false, false));
        float[] depth = drive.render(1).depth().depth();
        GroundPlaneScale ground = new GroundPlaneScale(1.65);
        assertThat(ground.scale(depth, WIDTH, HEIGHT, drive.intrinsics()))
                .isEqualTo(ground.scale(depth.clone(), WIDTH, HEIGHT, drive.intrinsics()));
    }

    @Test
    void aWallFillingTheLowerImageIsNoRoad() {
        Intrinsics k = Intrinsics.kittiNormalised(WIDTH, HEIGHT);
        float[] wall = new float[WIDTH * HEIGHT];
        java.util.Arrays.fill(wall, 4.0f);
        assertThat(GroundPlaneScale.cameraHeight(wall, WIDTH, HEIGHT, k)).isEmpty();
    }

    @Test
    void tooFewValidPointsGiveNoScale() {
        Intrinsics k = Intrinsics.kittiNormalised(WIDTH, HEIGHT);
        float[] depth = new float[WIDTH * HEIGHT];
        // a perfect road, but only on 10 pixels
        for (int i = 0; i < 10; i++) {
            int v = HEIGHT - 1 - i;
            depth[v * WIDTH + WIDTH / 2] = (float) (1.65 * k.fy() / (v - k.cy()));
        }
        assertThat(GroundPlaneScale.cameraHeight(depth, WIDTH, HEIGHT, k)).isEmpty();
    }

    @Test
    void anExactTiltedRoadGivesItsDistance() {
        // the road plane 2 units below the camera, tilted 5 degrees about x: n = (0, cos, −sin), n·X = 2
        Intrinsics k = Intrinsics.kittiNormalised(WIDTH, HEIGHT);
        double tilt = Math.toRadians(5);
        float[] depth = new float[WIDTH * HEIGHT];
        for (int v = 0; v < HEIGHT; v++) {
            for (int u = 0; u < WIDTH; u++) {
                double ray = Math.cos(tilt) * (v - k.cy()) / k.fy() - Math.sin(tilt);
                depth[v * WIDTH + u] = ray > 1e-3 ? (float) (2.0 / ray) : 0f;
            }
        }
        assertThat(GroundPlaneScale.cameraHeight(depth, WIDTH, HEIGHT, k)).hasValueCloseTo(2.0, within(1e-3));
    }

    @Test
    void aCameraHeightMustBePositive() {
        assertThatThrownBy(() -> new GroundPlaneScale(0)).hasMessageContaining("camera height");
        assertThatThrownBy(() -> new GroundPlaneScale(Double.NaN)).hasMessageContaining("camera height");
    }
}
