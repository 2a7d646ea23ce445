package io.depthstream.model.data.synth;

/**
 * A rigid (or calibration-grade near-rigid) transform as a row-major 3×4 matrix [R | t]: x' = R·x + t.
 *
 * <p>Camera poses are camera-to-world in KITTI's camera axes (x right, y down, z forward).
 *
 * @param m twelve numbers, row-major: r00 r01 r02 t0 r10 r11 r12 t1 r20 r21 r22 t2
 */
public record RigidTransform(double[] m) {

    public RigidTransform {
        if (m.length != 12) {
            throw new IllegalArgumentException("a 3x4 transform has 12 numbers, got " + m.length);
        }
        m = m.clone();
    }

    /** A copy of the twelve numbers. */
    @Override
    public double[] m() {
        return m.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RigidTransform that && java.util.Arrays.equals(m, that.m);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(m);
    }

    @Override
    public String toString() {
        return "RigidTransform" + java.util.Arrays.toString(m);
    }

    /** The identity. */
    public static RigidTransform identity() {
        return new RigidTransform(new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});
    }

    /** From a row-major 3×3 rotation and a translation. */
    public static RigidTransform of(double[] rotation, double[] translation) {
        double[] r = rotation;
        return new RigidTransform(new double[] {
            r[0], r[1], r[2], translation[0],
            r[3], r[4], r[5], translation[1],
            r[6], r[7], r[8], translation[2]});
    }

    /** A rotation by {@code yaw} radians about the y (down) axis, positive turning +z towards +x, then a translation. */
    public static RigidTransform yawThenTranslate(double yaw, double tx, double ty, double tz) {
        double c = StrictMath.cos(yaw);
        double s = StrictMath.sin(yaw);
        // Adding 0.0 turns −0.0 into 0.0, so that a zero yaw gives exactly the identity.
        return new RigidTransform(new double[] {c, 0, s, tx, 0, 1, 0, ty, 0.0 - s, 0, c, tz});
    }

    /** Element at row {@code r} (0..2), column {@code c} (0..3). */
    public double get(int r, int c) {
        return m[r * 4 + c];
    }

    /** {@code this · other}: apply {@code other} first. */
    public RigidTransform compose(RigidTransform other) {
        double[] a = m;
        double[] b = other.m;
        double[] out = new double[12];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                double v = a[r * 4] * b[c] + a[r * 4 + 1] * b[4 + c] + a[r * 4 + 2] * b[8 + c];
                out[r * 4 + c] = c == 3 ? v + a[r * 4 + 3] : v;
            }
        }
        return new RigidTransform(out);
    }

    /**
     * The exact inverse, with a general 3×3 inverse rather than the transpose: the published calibration
     * rotations are only orthonormal to six digits, and points must map back to the same pixels.
     */
    public RigidTransform inverse() {
        double a = m[0], b = m[1], c = m[2], d = m[4], e = m[5], f = m[6], g = m[8], h = m[9], i = m[10];
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if (Math.abs(det) < 1e-12) {
            throw new IllegalStateException("transform is singular");
        }
        double[] inv = {
            (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
            (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
            (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
        double tx = m[3];
        double ty = m[7];
        double tz = m[11];
        return new RigidTransform(new double[] {
            inv[0], inv[1], inv[2], -(inv[0] * tx + inv[1] * ty + inv[2] * tz),
            inv[3], inv[4], inv[5], -(inv[3] * tx + inv[4] * ty + inv[5] * tz),
            inv[6], inv[7], inv[8], -(inv[6] * tx + inv[7] * ty + inv[8] * tz)});
    }

    /** Transforms the point (x, y, z) into {@code out[0..2]}. */
    public void applyToPoint(double x, double y, double z, double[] out) {
        double px = m[0] * x + m[1] * y + m[2] * z + m[3];
        double py = m[4] * x + m[5] * y + m[6] * z + m[7];
        double pz = m[8] * x + m[9] * y + m[10] * z + m[11];
        out[0] = px;
        out[1] = py;
        out[2] = pz;
    }

    /** Rotates the direction (x, y, z) into {@code out[0..2]} (no translation). */
    public void applyToDirection(double x, double y, double z, double[] out) {
        double px = m[0] * x + m[1] * y + m[2] * z;
        double py = m[4] * x + m[5] * y + m[6] * z;
        double pz = m[8] * x + m[9] * y + m[10] * z;
        out[0] = px;
        out[1] = py;
        out[2] = pz;
    }

    /** The twelve numbers of one line of a KITTI odometry pose file. */
    public String toKittiLine() {
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < 12; k++) {
            if (k > 0) {
                line.append(' ');
            }
            line.append(String.format(java.util.Locale.ROOT, "%e", m[k] + 0.0));
        }
        return line.toString();
    }
}
