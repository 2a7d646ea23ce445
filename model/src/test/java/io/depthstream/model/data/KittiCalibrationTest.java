package io.depthstream.model.data;

import io.depthstream.model.geometry.Intrinsics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class KittiCalibrationTest {

    private static KittiCalibration fixtureCalibration() throws Exception {
        Path date = KittiFixtures.kittiRoot().resolve("2011_09_26");
        return KittiCalibration.parse(Files.readString(date.resolve("calib_cam_to_cam.txt")),
                Files.readString(date.resolve("calib_velo_to_cam.txt")));
    }

    @Test
    void parsesTheRealCalibrationExactly() throws Exception {
        KittiCalibration calibration = fixtureCalibration();

        assertThat(calibration.pRect(KittiCamera.IMAGE_02)).containsExactly(
                721.5377, 0, 609.5593, 44.85728, 0, 721.5377, 172.854, 0.2163791, 0, 0, 1, 0.002745884);
        assertThat(calibration.pRect(3)[3]).isEqualTo(-339.5242);
        assertThat(calibration.pRect(0)[3]).isEqualTo(0.0);
        assertThat(calibration.rRect00()).containsExactly(0.9999239, 0.00983776, -0.007445048, -0.009869795,
                0.9999421, -0.004278459, 0.007402527, 0.004351614, 0.9999631);
        assertThat(calibration.imageSize(KittiCamera.IMAGE_02)).isEqualTo(new KittiCalibration.Size(1242, 375));
        assertThat(calibration.imageSize(KittiCamera.IMAGE_03)).isEqualTo(new KittiCalibration.Size(1242, 375));
        assertThat(calibration.veloToCam()).containsExactly(
                0.007533745, -0.9999714, -0.0006166020, -0.004069766,
                0.01480249, 0.0007280733, -0.9998902, -0.07631618,
                0.9998621, 0.007523790, 0.01480755, -0.2717806);
        assertThat(calibration.camToCam("K_02")[0]).isEqualTo(959.791);
    }

    @Test
    void intrinsicsComeFromTheRectifiedProjectionAndRescale() throws Exception {
        KittiCalibration calibration = fixtureCalibration();

        assertThat(calibration.intrinsics(KittiCamera.IMAGE_02)).isEqualTo(new Intrinsics(721.5377, 721.5377, 609.5593, 172.854));
        Intrinsics small = calibration.intrinsics(KittiCamera.IMAGE_03, 621, 125);
        assertThat(small.fx()).isCloseTo(721.5377 / 2, within(1e-12));
        assertThat(small.fy()).isCloseTo(721.5377 / 3, within(1e-12));
        assertThat(small.cx()).isCloseTo(609.5593 / 2, within(1e-12));
        assertThat(small.cy()).isCloseTo(172.854 / 3, within(1e-12));
    }

    @Test
    void veloToImageMapsAPointAsTheThreeMatricesDo() throws Exception {
        KittiCalibration calibration = fixtureCalibration();
        double[] m = calibration.veloToImage(KittiCamera.IMAGE_02);
        double[] p = calibration.pRect(KittiCamera.IMAGE_02);
        double[] r = calibration.rRect00();
        double[] rt = calibration.veloToCam();
        double[] point = {12.5, -1.75, 0.4};

        double[] cam = new double[3];
        for (int i = 0; i < 3; i++) {
            cam[i] = rt[4 * i] * point[0] + rt[4 * i + 1] * point[1] + rt[4 * i + 2] * point[2] + rt[4 * i + 3];
        }
        double[] rect = new double[3];
        for (int i = 0; i < 3; i++) {
            rect[i] = r[3 * i] * cam[0] + r[3 * i + 1] * cam[1] + r[3 * i + 2] * cam[2];
        }
        for (int i = 0; i < 3; i++) {
            double expected = p[4 * i] * rect[0] + p[4 * i + 1] * rect[1] + p[4 * i + 2] * rect[2] + p[4 * i + 3];
            double actual = m[4 * i] * point[0] + m[4 * i + 1] * point[1] + m[4 * i + 2] * point[2] + m[4 * i + 3];
            assertThat(actual).isCloseTo(expected, within(1e-9));
        }
    }

    @Test
    void missingOrShortKeysAreNamed() {
        String velo = "calib_time: x\nR: 1 0 0 0 1 0 0 0 1\nT: 0 0 0\n";
        assertThatThrownBy(() -> KittiCalibration.parse("S_rect_02: 1242 375\n", velo))
                .isInstanceOf(KittiDataException.class).hasMessageContaining("P_rect_00");
        assertThatThrownBy(() -> KittiCalibration.parse(SyntheticKitti.camToCam(10, 0, 0, 8, 6), "R: 1 0 0\nT: 0 0 0\n"))
                .isInstanceOf(KittiDataException.class).hasMessageContaining("'R' has 3 numbers, expected 9");
    }
}
