package io.depthstream.model.data.synth;

import io.depthstream.model.geometry.Intrinsics;

import java.util.Locale;

/**
 * The recording car's calibration: KITTI's published 2011_09_26 numbers (cameras, velodyne, IMU), with the
 * rectified projections P_rect_0x and sizes S_rect_0x scaled to the rendered image size.
 *
 * <p>The rendered camera is the rectified colour camera 2. A velodyne point p maps into it as
 * X = R_rect_00·(R·p + T) + t₂ with t₂ = K⁻¹·(4th column of P_rect_02), so KITTI's projection
 * P_rect_02·R_rect_00·[R|T]·p = K·X lands exactly where the renderer put that point.
 */
public final class RigCalibration {

    /** The date whose calibration this is, as KITTI names archives and folders. */
    public static final String DATE = "2011_09_26";
    /** Image size the published rectified projections belong to. */
    public static final int KITTI_WIDTH = 1242;
    /** Image height the published rectified projections belong to. */
    public static final int KITTI_HEIGHT = 375;

    private static final double[] R_RECT_00 = {
        9.999239e-01, 9.837760e-03, -7.445048e-03, -9.869795e-03, 9.999421e-01, -4.278459e-03,
        7.402527e-03, 4.351614e-03, 9.999631e-01};
    private static final double[] P_RECT_00 = {
        7.215377e+02, 0, 6.095593e+02, 0, 0, 7.215377e+02, 1.728540e+02, 0, 0, 0, 1, 0};
    private static final double[] P_RECT_01 = {
        7.215377e+02, 0, 6.095593e+02, -3.875744e+02, 0, 7.215377e+02, 1.728540e+02, 0, 0, 0, 1, 0};
    private static final double[] P_RECT_02 = {
        7.215377e+02, 0, 6.095593e+02, 4.485728e+01, 0, 7.215377e+02, 1.728540e+02, 2.163791e-01,
        0, 0, 1, 2.745884e-03};
    private static final double[] P_RECT_03 = {
        7.215377e+02, 0, 6.095593e+02, -3.395242e+02, 0, 7.215377e+02, 1.728540e+02, 2.199936e+00,
        0, 0, 1, 2.729905e-03};
    private static final double[] VELO_R = {
        7.533745e-03, -9.999714e-01, -6.166020e-04, 1.480249e-02, 7.280733e-04, -9.998902e-01,
        9.998621e-01, 7.523790e-03, 1.480755e-02};
    private static final double[] VELO_T = {-4.069766e-03, -7.631618e-02, -2.717806e-01};

    /** The unrectified camera entries, verbatim: nothing here renders through them. */
    private static final String CAMERA_BLOCK = """
            S_00: 1.392000e+03 5.120000e+02
            K_00: 9.842439e+02 0.000000e+00 6.900000e+02 0.000000e+00 9.808141e+02 2.331966e+02 0.000000e+00 0.000000e+00 1.000000e+00
            D_00: -3.728755e-01 2.037299e-01 2.219027e-03 1.383707e-03 -7.233722e-02
            R_00: 1.000000e+00 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00
            T_00: 2.573699e-16 -1.059758e-16 1.614870e-16
            S_01: 1.392000e+03 5.120000e+02
            K_01: 9.895267e+02 0.000000e+00 7.020000e+02 0.000000e+00 9.878386e+02 2.455590e+02 0.000000e+00 0.000000e+00 1.000000e+00
            D_01: -3.644661e-01 1.790019e-01 1.148107e-03 -6.298563e-04 -5.314062e-02
            R_01: 9.993513e-01 1.860866e-02 -3.083487e-02 -1.887662e-02 9.997863e-01 -8.421873e-03 3.067156e-02 8.998467e-03 9.994890e-01
            T_01: -5.370000e-01 4.822061e-03 -1.252488e-02
            S_02: 1.392000e+03 5.120000e+02
            K_02: 9.597910e+02 0.000000e+00 6.960217e+02 0.000000e+00 9.569251e+02 2.241806e+02 0.000000e+00 0.000000e+00 1.000000e+00
            D_02: -3.691481e-01 1.968681e-01 1.353473e-03 5.677587e-04 -6.770705e-02
            R_02: 9.999758e-01 -5.267463e-03 -4.552439e-03 5.251945e-03 9.999804e-01 -3.413835e-03 4.570332e-03 3.389843e-03 9.999838e-01
            T_02: 5.956621e-02 2.900141e-04 2.577209e-03
            S_03: 1.392000e+03 5.120000e+02
            K_03: 9.037596e+02 0.000000e+00 6.957519e+02 0.000000e+00 9.019653e+02 2.242509e+02 0.000000e+00 0.000000e+00 1.000000e+00
            D_03: -3.639558e-01 1.788651e-01 6.029694e-04 -3.922424e-04 -5.382460e-02
            R_03: 9.995599e-01 1.699522e-02 -2.431313e-02 -1.704422e-02 9.998531e-01 -1.809756e-03 2.427880e-02 2.223358e-03 9.997028e-01
            T_03: -4.731050e-01 5.551470e-03 -5.250882e-03
            """;

    private final int width;
    private final int height;
    private final double[][] projections;

    private RigCalibration(int width, int height) {
        this.width = width;
        this.height = height;
        double sx = (double) width / KITTI_WIDTH;
        double sy = (double) height / KITTI_HEIGHT;
        projections = new double[][] {
            scaled(P_RECT_00, sx, sy), scaled(P_RECT_01, sx, sy), scaled(P_RECT_02, sx, sy), scaled(P_RECT_03, sx, sy)};
    }

    /** The 2011_09_26 calibration for images of {@code width×height}. */
    public static RigCalibration forImageSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        return new RigCalibration(width, height);
    }

    /** Image width the projections are scaled to. */
    public int width() {
        return width;
    }

    /** Image height the projections are scaled to. */
    public int height() {
        return height;
    }

    /** Intrinsics of the rendered (rectified colour, cam 2) camera. */
    public Intrinsics intrinsics() {
        double[] p = projections[2];
        return new Intrinsics(p[0], p[5], p[2], p[6]);
    }

    /** P_rect_02 as written to the calibration file (row-major 3×4). */
    public double[] projection02() {
        return projections[2].clone();
    }

    /** R_rect_00 (row-major 3×3). */
    public static double[] rectification00() {
        return R_RECT_00.clone();
    }

    /** The velodyne-to-camera-0 transform [R|T] of calib_velo_to_cam.txt. */
    public static RigidTransform veloToCam0() {
        return RigidTransform.of(VELO_R, VELO_T);
    }

    /** Velodyne frame to the rendered camera's frame: R_rect_00·[R|T] followed by the cam-2 offset t₂. */
    public RigidTransform veloToCamera() {
        double[] p = projections[2];
        double tz = p[11];
        double tx = (p[3] - p[2] * tz) / p[0];
        double ty = (p[7] - p[6] * tz) / p[5];
        RigidTransform rect = RigidTransform.of(R_RECT_00, new double[] {tx, ty, tz});
        return rect.compose(veloToCam0());
    }

    /** Text of calib_cam_to_cam.txt. */
    public String camToCamText() {
        StringBuilder text = new StringBuilder("calib_time: 09-Jan-2012 13:57:47\ncorner_dist: 9.950000e-02\n");
        String[] blocks = CAMERA_BLOCK.split("(?=S_0)");
        for (int cam = 0; cam < 4; cam++) {
            text.append(blocks[cam]);
            text.append("S_rect_0").append(cam).append(": ").append(number(width)).append(' ')
                    .append(number(height)).append('\n');
            text.append("R_rect_0").append(cam).append(": ").append(numbers(rectification(cam))).append('\n');
            text.append("P_rect_0").append(cam).append(": ").append(numbers(projections[cam])).append('\n');
        }
        return text.toString();
    }

    /** Text of calib_velo_to_cam.txt. */
    public String veloToCamText() {
        return "calib_time: 15-Mar-2012 11:37:16\n"
                + "R: " + numbers(VELO_R) + "\n"
                + "T: " + numbers(VELO_T) + "\n"
                + "delta_f: 0.000000e+00 0.000000e+00\n"
                + "delta_c: 0.000000e+00 0.000000e+00\n";
    }

    /** Text of calib_imu_to_velo.txt. */
    public String imuToVeloText() {
        return "calib_time: 25-May-2012 16:47:16\n"
                + "R: 9.999976e-01 7.553071e-04 -2.035826e-03 -7.854027e-04 9.998898e-01 -1.482298e-02 "
                + "2.024406e-03 1.482454e-02 9.998881e-01\n"
                + "T: -8.086759e-01 3.195559e-01 -7.997231e-01\n";
    }

    private static double[] rectification(int cam) {
        return switch (cam) {
            case 0 -> R_RECT_00;
            case 1 -> new double[] {9.996878e-01, -8.976826e-03, 2.331651e-02, 8.876121e-03, 9.999508e-01,
                4.418952e-03, -2.335503e-02, -4.210612e-03, 9.997184e-01};
            case 2 -> new double[] {9.998817e-01, 1.511453e-02, -2.841595e-03, -1.511724e-02, 9.998853e-01,
                -9.338510e-04, 2.827154e-03, 9.766976e-04, 9.999955e-01};
            default -> new double[] {9.998321e-01, -7.193136e-03, 1.685599e-02, 7.232804e-03, 9.999712e-01,
                -2.293585e-03, -1.683901e-02, 2.415116e-03, 9.998553e-01};
        };
    }

    /**
     * Scales rows 0 and 1 of a projection and rounds every number to what the file will say, so that the
     * renderer and anyone reading the written file use identical values.
     */
    private static double[] scaled(double[] p, double sx, double sy) {
        double[] out = new double[12];
        for (int i = 0; i < 12; i++) {
            double factor = i < 4 ? sx : i < 8 ? sy : 1;
            out[i] = Double.parseDouble(number(p[i] * factor));
        }
        return out;
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%e", v);
    }

    private static String numbers(double[] values) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append(' ');
            }
            line.append(number(values[i]));
        }
        return line.toString();
    }
}
