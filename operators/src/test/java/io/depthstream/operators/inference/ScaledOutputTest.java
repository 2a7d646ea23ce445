package io.depthstream.operators.inference;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.StreetLayout;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.geometry.Intrinsics;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScaledOutputTest {

    private static final int WIDTH = 416;
    private static final int HEIGHT = 128;
    private static final GroundPlaneScale GROUND = new GroundPlaneScale(StreetLayout.CAMERA_HEIGHT);

    @Test
    void anAcceptedFitTurnsDepthAndTranslationsIntoMetres() {
        SyntheticDrive drive = SyntheticDrive.generate(4, new DriveOptions(3, WIDTH, HEIGHT, false, false));
        float[] truth = drive.render(1).depth().depth();
        double unit = 0.25; // the model's unit is 4 m
        float[] relative = new float[truth.length];
        for (int i = 0; i < truth.length; i++) {
            relative[i] = (float) (truth[i] / 4);
        }
        var out = new TripletInference.Output(relative, new float[] {0.01f, 0, 0, 0, 0, 0.25f},
                new float[] {0, 0.02f, 0, 0, 0, 0.3f}, drive.intrinsics());

        ScaledOutput scaled = ScaledOutput.of(out, WIDTH, HEIGHT, GROUND, null);

        assertThat(scaled.kind()).isEqualTo(ScaleKind.METRIC);
        assertThat(scaled.acceptedScale()).isCloseTo(1 / unit, within(0.03 / unit));
        int checked = 0;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] > 0) {
                assertThat(scaled.depth()[i]).isCloseTo(truth[i], within(0.03f * truth[i]));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(truth.length / 2);
        assertThat(scaled.prevToCur()[5]).isCloseTo((float) (0.25 * scaled.acceptedScale()), within(1e-5f));
        assertThat(scaled.prevToCur()[0]).isEqualTo(0.01f);
        assertThat(scaled.curToNext()[5]).isCloseTo((float) (0.3 * scaled.acceptedScale()), within(1e-5f));
        assertThat(scaled.trajectoryStep()).isSameAs(scaled.prevToCur());
    }

    @Test
    void aRejectedFitStaysRelativeButStepsTheTrajectoryAtTheLastAcceptedScale() {
        Intrinsics k = Intrinsics.kittiNormalised(WIDTH, HEIGHT);
        float[] wall = new float[WIDTH * HEIGHT];
        Arrays.fill(wall, 5f);
        float[] step = {0, 0, 0, 0, 0, 0.5f};
        var out = new TripletInference.Output(wall, step, null, k);
        CameraTrack previous = new CameraTrack(6, new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, 3.0);

        ScaledOutput scaled = ScaledOutput.of(out, WIDTH, HEIGHT, GROUND, previous);

        assertThat(scaled.kind()).isEqualTo(ScaleKind.RELATIVE);
        assertThat(scaled.acceptedScale()).isNaN();
        assertThat(scaled.depth()).isSameAs(wall);
        assertThat(scaled.prevToCur()).containsExactly(step);
        assertThat(scaled.trajectoryStep()[5]).isEqualTo(1.5f);
        // and a camera that never had a metric fit steps in relative units
        assertThat(ScaledOutput.of(out, WIDTH, HEIGHT, GROUND, null).trajectoryStep()).containsExactly(step);
    }

    @Test
    void withoutACameraHeightEverythingStaysRelative() {
        SyntheticDrive drive = SyntheticDrive.generate(4, new DriveOptions(3, WIDTH, HEIGHT, false, false));
        float[] depth = drive.render(1).depth().depth();
        var out = new TripletInference.Output(depth, null, null, drive.intrinsics());
        ScaledOutput scaled = ScaledOutput.of(out, WIDTH, HEIGHT, null, null);
        assertThat(scaled.kind()).isEqualTo(ScaleKind.RELATIVE);
        assertThat(scaled.depth()).isSameAs(depth);
        assertThat(scaled.trajectoryStep()).isNull();
    }
}
