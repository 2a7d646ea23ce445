package io.depthstream.model.data.synth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RigidTransformTest {

    @Test
    void inverseUndoesTheCalibrationTransformExactly() {
        RigidTransform veloToCamera = RigCalibration.forImageSize(1242, 375).veloToCamera();
        double[] there = new double[3];
        double[] back = new double[3];

        veloToCamera.applyToPoint(12.5, -3.25, -1.5, there);
        veloToCamera.inverse().applyToPoint(there[0], there[1], there[2], back);

        assertThat(back[0]).isCloseTo(12.5, within(1e-12));
        assertThat(back[1]).isCloseTo(-3.25, within(1e-12));
        assertThat(back[2]).isCloseTo(-1.5, within(1e-12));
        // velodyne x (forward) is camera z, velodyne z (up) is camera −y
        assertThat(there[2]).isCloseTo(12.5 - 0.27, within(0.05));
        assertThat(there[1]).isCloseTo(1.5 - 0.076, within(0.25));
    }

    @Test
    void composeAppliesTheRightOperandFirst() {
        RigidTransform turn = RigidTransform.yawThenTranslate(Math.PI / 2, 0, 0, 0);
        RigidTransform shift = RigidTransform.yawThenTranslate(0, 0, 0, 1);
        double[] p = new double[3];

        turn.compose(shift).applyToPoint(0, 0, 0, p);

        // forward 1 m, then turned right by 90°: +z becomes +x
        assertThat(p[0]).isCloseTo(1, within(1e-12));
        assertThat(p[2]).isCloseTo(0, within(1e-12));
        assertThat(RigidTransform.yawThenTranslate(0, 0, 0, 0)).isEqualTo(RigidTransform.identity());
        assertThat(RigidTransform.identity().toKittiLine())
                .isEqualTo("1.000000e+00 0.000000e+00 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00 "
                        + "0.000000e+00 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00 0.000000e+00");
    }
}
