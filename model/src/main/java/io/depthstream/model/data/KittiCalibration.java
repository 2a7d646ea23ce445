package io.depthstream.model.data;

import io.depthstream.model.geometry.Intrinsics;

import java.util.HashMap;
import java.util.Map;

/**
 * The per-date KITTI raw calibration: {@code calib_cam_to_cam.txt} (rectified projections P_rect_0x, rectifying
 * rotation R_rect_00, rectified sizes S_rect_0x, …) and {@code calib_velo_to_cam.txt} (Velodyne → camera 0 [R|T]).
 *
 * <p>Matrices are returned as row-major copies in double precision.
 */
public final class KittiCalibration {

    /** The file names inside a date folder (and inside {@code <date>_calib.zip}). */
    public static final String CAM_TO_CAM = "calib_cam_to_cam.txt";
    public static final String VELO_TO_CAM = "calib_velo_to_cam.txt";

    /** A rectified image size in pixels. */
    public record Size(int width, int height) {
    }

    private final Map<String, double[]> camToCam;
    private final double[] veloToCam;

    private KittiCalibration(Map<String, double[]> camToCam, double[] veloToCam) {
        this.camToCam = camToCam;
        this.veloToCam = veloToCam;
    }

    /**
     * Parses the two files' text.
     *
     * @throws KittiDataException when a key the projections need is missing or has the wrong number of values
     */
    public static KittiCalibration parse(String camToCamText, String veloToCamText) throws KittiDataException {
        Map<String, double[]> camToCam = numericLines(camToCamText);
        for (int cam = 0; cam <= 3; cam++) {
            require(camToCam, "P_rect_0" + cam, 12, CAM_TO_CAM);
            require(camToCam, "S_rect_0" + cam, 2, CAM_TO_CAM);
        }
        require(camToCam, "R_rect_00", 9, CAM_TO_CAM);
        Map<String, double[]> velo = numericLines(veloToCamText);
        double[] r = require(velo, "R", 9, VELO_TO_CAM);
        double[] t = require(velo, "T", 3, VELO_TO_CAM);
        double[] rt = new double[12];
        for (int row = 0; row < 3; row++) {
            System.arraycopy(r, 3 * row, rt, 4 * row, 3);
            rt[4 * row + 3] = t[row];
        }
        return new KittiCalibration(Map.copyOf(camToCam), rt);
    }

    /** Rectified projection of camera {@code camera} (0…3), 3×4. */
    public double[] pRect(int camera) {
        return camToCam.get("P_rect_0" + checkedCamera(camera)).clone();
    }

    /** Rectified projection of a colour camera, 3×4. */
    public double[] pRect(KittiCamera camera) {
        return pRect(camera.index());
    }

    /** The rectifying rotation of camera 0, 3×3. */
    public double[] rRect00() {
        return camToCam.get("R_rect_00").clone();
    }

    /** Rectified image size of camera {@code camera} (0…3). */
    public Size imageSize(int camera) {
        double[] s = camToCam.get("S_rect_0" + checkedCamera(camera));
        return new Size((int) s[0], (int) s[1]);
    }

    /** Rectified image size of a colour camera. */
    public Size imageSize(KittiCamera camera) {
        return imageSize(camera.index());
    }

    /** Velodyne → (unrectified) camera 0 transform [R|T], 3×4. */
    public double[] veloToCam() {
        return veloToCam.clone();
    }

    /**
     * Velodyne point (homogeneous) → rectified image of {@code camera}: P_rect_0x · R_rect_00 · [R|T], 3×4, with
     * the products taken left to right as the published ground truth was computed.
     */
    public double[] veloToImage(KittiCamera camera) {
        double[] rect4 = new double[16];
        double[] r = rRect00();
        for (int row = 0; row < 3; row++) {
            System.arraycopy(r, 3 * row, rect4, 4 * row, 3);
        }
        rect4[15] = 1;
        double[] velo4 = new double[16];
        System.arraycopy(veloToCam, 0, velo4, 0, 12);
        velo4[15] = 1;
        double[] pRect = pRect(camera);
        return multiply(multiply(pRect, 3, 4, rect4, 4), 3, 4, velo4, 4);
    }

    /** Pinhole intrinsics of a colour camera's rectified image, at its calibrated size (S_rect_0x). */
    public Intrinsics intrinsics(KittiCamera camera) {
        double[] p = pRect(camera);
        return new Intrinsics(p[0], p[5], p[2], p[6]);
    }

    /** Pinhole intrinsics of a colour camera's rectified image resized to {@code width×height}. */
    public Intrinsics intrinsics(KittiCamera camera, int width, int height) {
        Size size = imageSize(camera);
        return intrinsics(camera).rescaled(size.width(), size.height(), width, height);
    }

    /** The numbers of any key of {@code calib_cam_to_cam.txt} (e.g. {@code K_02}), or null when absent. */
    public double[] camToCam(String key) {
        double[] values = camToCam.get(key);
        return values == null ? null : values.clone();
    }

    private static int checkedCamera(int camera) {
        if (camera < 0 || camera > 3) {
            throw new IllegalArgumentException("KITTI cameras are 0…3, got " + camera);
        }
        return camera;
    }

    private static double[] multiply(double[] a, int rows, int inner, double[] b, int cols) {
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double sum = 0;
                for (int k = 0; k < inner; k++) {
                    sum += a[i * inner + k] * b[k * cols + j];
                }
                out[i * cols + j] = sum;
            }
        }
        return out;
    }

    private static double[] require(Map<String, double[]> values, String key, int count, String file)
            throws KittiDataException {
        double[] v = values.get(key);
        if (v == null) {
            throw new KittiDataException(file + " has no numeric '" + key + ":' line");
        }
        if (v.length != count) {
            throw new KittiDataException(file + ": '" + key + "' has " + v.length + " numbers, expected " + count);
        }
        return v;
    }

    // Lines whose values are not all numbers (calib_time) carry nothing the geometry needs.
    private static Map<String, double[]> numericLines(String text) {
        Map<String, double[]> values = new HashMap<>();
        for (String line : text.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String[] tokens = line.substring(colon + 1).trim().split("\\s+");
            if (tokens.length == 1 && tokens[0].isEmpty()) {
                continue;
            }
            double[] numbers = new double[tokens.length];
            try {
                for (int i = 0; i < tokens.length; i++) {
                    numbers[i] = Double.parseDouble(tokens[i]);
                }
            } catch (NumberFormatException e) {
                continue;
            }
            values.put(line.substring(0, colon).trim(), numbers);
        }
        return values;
    }
}
