package io.depthstream.model.data.synth;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The lidar sweep, projected the way the community's Eigen ground truth is made (from the calibration text this
 * project writes, P_rect_02·R_rect_00·[R|T]), must agree with the rendered depth.
 */
class VelodyneScannerTest {

    /** Parses KITTI's {@code key: numbers} calibration text. */
    static Map<String, double[]> parse(String text) {
        Map<String, double[]> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            String[] parts = line.substring(colon + 1).trim().split(" ");
            try {
                values.put(line.substring(0, colon), Arrays.stream(parts).mapToDouble(Double::parseDouble).toArray());
            } catch (NumberFormatException dateLine) {
                // calib_time holds a date, not numbers
            }
        }
        return values;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    @Test
    void eigenProjectionOfTheScanLandsOnTheRenderedDepth() {
        SyntheticDrive drive = SyntheticDrive.generate(5, DriveOptions.kitti(3));
        RigCalibration calibration = drive.calibration();
        Map<String, double[]> cam = parse(calibration.camToCamText());
        Map<String, double[]> velo = parse(calibration.veloToCamText());
        double[] p = cam.get("P_rect_02");
        double[] rr = cam.get("R_rect_00");
        double[] r = velo.get("R");
        double[] t = velo.get("T");
        int width = (int) cam.get("S_rect_02")[0];
        int height = (int) cam.get("S_rect_02")[1];
        assertThat(width).isEqualTo(1242);
        assertThat(height).isEqualTo(375);

        float[] points = drive.scan(1);
        float[] depth = drive.render(1).depth().depth();

        List<Double> eigenRelative = new ArrayList<>();
        List<Double> exactRelative = new ArrayList<>();
        List<Double> offsets = new ArrayList<>();
        for (int i = 0; i < points.length; i += 4) {
            double x = points[i];
            double y = points[i + 1];
            double z = points[i + 2];
            if (x < 0) {
                continue;
            }
            double[] c0 = {
                r[0] * x + r[1] * y + r[2] * z + t[0], r[3] * x + r[4] * y + r[5] * z + t[1],
                r[6] * x + r[7] * y + r[8] * z + t[2]};
            double[] rect = {
                rr[0] * c0[0] + rr[1] * c0[1] + rr[2] * c0[2], rr[3] * c0[0] + rr[4] * c0[1] + rr[5] * c0[2],
                rr[6] * c0[0] + rr[7] * c0[1] + rr[8] * c0[2]};
            double pu = p[0] * rect[0] + p[1] * rect[1] + p[2] * rect[2] + p[3];
            double pv = p[4] * rect[0] + p[5] * rect[1] + p[6] * rect[2] + p[7];
            double pw = p[8] * rect[0] + p[9] * rect[1] + p[10] * rect[2] + p[11];
            double u = pu / pw;
            double v = pv / pw;
            int col = (int) Math.round(u) - 1;
            int row = (int) Math.round(v) - 1;
            if (col >= 0 && row >= 0 && col < width && row < height) {
                float rendered = depth[row * width + col];
                if (rendered > 0) {
                    eigenRelative.add(Math.abs(x - rendered) / rendered);
                }
            }
            int exactCol = (int) Math.round(u);
            int exactRow = (int) Math.round(v);
            if (exactCol >= 0 && exactRow >= 0 && exactCol < width && exactRow < height) {
                float rendered = depth[exactRow * width + exactCol];
                if (rendered > 0) {
                    exactRelative.add(Math.abs(pw - rendered) / rendered);
                    offsets.add(x - pw);
                }
            }
        }

        assertThat(eigenRelative.size()).as("points in view").isGreaterThan(10_000);
        // The camera's own z at the pixel the point projects to: exact up to the half-pixel rounding.
        assertThat(median(exactRelative)).isLessThan(0.003);
        // The lidar sits 0.27 m behind the camera (T of calib_velo_to_cam) and is pitched 0.6° against it, which
        // over its 1.73 m height adds about 0.015 m: velodyne x exceeds camera z by 0.28 m.
        assertThat(median(offsets)).isCloseTo(0.28, within(0.02));
        // Eigen's depth is velodyne x at pixel round(u)−1: the 0.27 m offset and the one-pixel shift together
        // stay within 5 % for the typical point (5–40 m away).
        assertThat(median(eigenRelative)).isLessThan(0.05);
    }

    @Test
    void groundReturnsLieOnTheRoadOneSixtyFiveBelowTheCamera() {
        SyntheticDrive drive = SyntheticDrive.generate(5, new DriveOptions(3, 64, 20, false, false));
        RigidTransform veloToCamera = drive.calibration().veloToCamera();
        float[] points = drive.scan(0);
        List<Double> heights = new ArrayList<>();
        double[] c = new double[3];
        for (int i = 0; i < points.length; i += 4) {
            if (points[i] > 4 && points[i] < 8 && Math.abs(points[i + 1]) < 1.0) {
                veloToCamera.applyToPoint(points[i], points[i + 1], points[i + 2], c);
                heights.add(c[1]);
            }
        }

        assertThat(points.length / 4).isGreaterThan(60_000);
        assertThat(heights).hasSizeGreaterThan(100);
        assertThat(median(heights)).isCloseTo(StreetLayout.CAMERA_HEIGHT, within(0.001));
        // KITTI's lidar sits 0.076 m above camera 0: about 1.73 m above the road, as on the recording car.
        assertThat(StreetLayout.CAMERA_HEIGHT - veloToCamera.get(1, 3)).isCloseTo(1.73, within(0.01));
        for (int i = 3; i < points.length; i += 4) {
            assertThat(points[i]).isBetween(0f, 1f);
        }
    }
}
