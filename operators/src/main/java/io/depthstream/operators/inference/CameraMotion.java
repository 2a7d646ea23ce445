package io.depthstream.operators.inference;

import io.depthstream.model.data.synth.RigidTransform;

/**
 * The six-number motions of {@link DepthResult} (axis-angle + translation, conventions there): conversion from
 * the pose network's output, to 3×4 transforms, and rescaling.
 */
public final class CameraMotion {

    /** Below this angle (radians) a rotation is the identity to double precision. */
    private static final double SMALL_ANGLE = 1e-12;

    private CameraMotion() {}

    /**
     * The motion earlier→later ({@code T_earlier←later}) from the pose network's output for the pair [earlier,
     * later], which is {@code T_later←earlier}: rotation Rᵀ (axis-angle −r) and translation −Rᵀt.
     */
    public static float[] fromNetworkOutput(float[] network) {
        requireSix(network);
        double[] r = rotation(network);
        double tx = network[3];
        double ty = network[4];
        double tz = network[5];
        return new float[] {
            -network[0], -network[1], -network[2],
            (float) -(r[0] * tx + r[3] * ty + r[6] * tz),
            (float) -(r[1] * tx + r[4] * ty + r[7] * tz),
            (float) -(r[2] * tx + r[5] * ty + r[8] * tz)};
    }

    /** The 3×4 transform {@code [R(r) | t]} of a motion. */
    public static RigidTransform transform(float[] motion) {
        requireSix(motion);
        return RigidTransform.of(rotation(motion), new double[] {motion[3], motion[4], motion[5]});
    }

    /** The same rotation with the translation multiplied by {@code scale} (a change of length unit). */
    public static float[] scaled(float[] motion, double scale) {
        requireSix(motion);
        return new float[] {
            motion[0], motion[1], motion[2],
            (float) (motion[3] * scale), (float) (motion[4] * scale), (float) (motion[5] * scale)};
    }

    /** Row-major 3×3 rotation of the axis-angle vector in {@code v[0..2]} (Rodrigues' formula). */
    static double[] rotation(float[] v) {
        double x = v[0];
        double y = v[1];
        double z = v[2];
        double angle = Math.sqrt(x * x + y * y + z * z);
        if (angle < SMALL_ANGLE) {
            return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
        }
        x /= angle;
        y /= angle;
        z /= angle;
        double c = Math.cos(angle);
        double s = Math.sin(angle);
        double k = 1 - c;
        return new double[] {
            x * x * k + c, x * y * k - z * s, x * z * k + y * s,
            y * x * k + z * s, y * y * k + c, y * z * k - x * s,
            z * x * k - y * s, z * y * k + x * s, z * z * k + c};
    }

    private static void requireSix(float[] motion) {
        if (motion == null || motion.length != 6) {
            throw new IllegalArgumentException("a motion has 6 numbers (axis-angle, translation)");
        }
    }
}
