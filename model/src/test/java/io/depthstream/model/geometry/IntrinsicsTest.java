package io.depthstream.model.geometry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class IntrinsicsTest {

    @Test
    void kittiNormalisedMatchesMonodepth2AtItsTrainingSize() {
        Intrinsics k = Intrinsics.kittiNormalised(640, 192);

        assertThat(k.fx()).isCloseTo(371.2, within(1e-9));
        assertThat(k.fy()).isCloseTo(368.64, within(1e-9));
        assertThat(k.cx()).isCloseTo(320.0, within(1e-9));
        assertThat(k.cy()).isCloseTo(96.0, within(1e-9));
    }

    @Test
    void rescalingFollowsTheResize() {
        // KITTI 2011_09_26 P_rect_02, 1242x375, resized to 640x192
        Intrinsics full = new Intrinsics(721.5377, 721.5377, 609.5593, 172.854);

        Intrinsics net = full.rescaled(1242, 375, 640, 192);

        assertThat(net.fx()).isCloseTo(721.5377 * 640 / 1242, within(1e-9));
        assertThat(net.fy()).isCloseTo(721.5377 * 192 / 375, within(1e-9));
        assertThat(net.cx()).isCloseTo(609.5593 * 640 / 1242, within(1e-9));
        assertThat(net.cy()).isCloseTo(172.854 * 192 / 375, within(1e-9));
        assertThat(net.rescaled(640, 192, 1242, 375).fx()).isCloseTo(721.5377, within(1e-9));
    }

    @Test
    void implausibleIntrinsicsAreNamed() {
        assertThat(Intrinsics.kittiNormalised(640, 192).implausibility(640, 192)).isNull();
        assertThat(new Intrinsics(Double.NaN, 1, 1, 1).implausibility(640, 192)).contains("not finite");
        assertThat(new Intrinsics(0, 300, 320, 96).implausibility(640, 192)).contains("focal lengths");
        assertThat(new Intrinsics(1e9, 300, 320, 96).implausibility(640, 192)).contains("focal lengths");
        assertThat(new Intrinsics(300, 300, 5000, 96).implausibility(640, 192)).contains("principal point");
    }

    @Test
    void matrixIsRowMajorHomogeneous() {
        assertThat(new Intrinsics(2, 3, 4, 5).toMatrix4x4())
                .containsExactly(2, 0, 4, 0, 0, 3, 5, 0, 0, 0, 1, 0, 0, 0, 0, 1);
    }
}
