package io.depthstream.model.data.synth;

import java.util.SplittableRandom;

/**
 * The street's centre curve (the path the camera drives along) with a slowly varying heading, and the
 * street's cross-section around it.
 *
 * <p>World axes are the first camera's: x right, y down, z forward; the ground is the plane y = {@link #GROUND_Y}.
 * A point is addressed by arc length s along the curve and lateral offset l (positive to the right).
 */
public final class StreetLayout {

    /** Camera height above the road, as on KITTI's recording car. */
    public static final double CAMERA_HEIGHT = 1.65;
    /** The road plane: the camera rides at y = 0, the ground lies below it. */
    public static final double GROUND_Y = CAMERA_HEIGHT;
    /** Lateral offset of the road's centre line: the camera drives in the centre of the right lane. */
    public static final double ROAD_CENTRE = -1.75;
    /** Lateral distance from the road centre to the kerb (3.5 m lane plus 2 m parking strip per side). */
    public static final double ROAD_HALF_WIDTH = 5.5;
    /** Lateral distance from the road centre to the façade line. */
    public static final double FACADE_OFFSET = 8.75;

    private static final double STEP = 0.25;

    private final double amplitude1;
    private final double wavelength1;
    private final double amplitude2;
    private final double wavelength2;
    private final double sMin;
    private final double[] xByS;
    private final double[] zByS;
    private final double zMin;
    private final double[] sByZ;
    private final double[] xByZ;
    private final double[] cosByZ;
    private final double[] sinByZ;

    private StreetLayout(double amplitude1, double wavelength1, double amplitude2, double wavelength2,
                         double sFrom, double sTo) {
        this.amplitude1 = amplitude1;
        this.wavelength1 = wavelength1;
        this.amplitude2 = amplitude2;
        this.wavelength2 = wavelength2;
        int before = (int) Math.ceil(-Math.min(0, sFrom) / STEP);
        int after = (int) Math.ceil(Math.max(0, sTo) / STEP);
        this.sMin = -before * STEP;
        int n = before + after + 1;
        xByS = new double[n];
        zByS = new double[n];
        // Integrate outwards from s = 0 so that the first camera pose is exactly the origin.
        for (int i = before + 1; i < n; i++) {
            double mid = heading(sMin + (i - 0.5) * STEP);
            xByS[i] = xByS[i - 1] + STEP * StrictMath.sin(mid);
            zByS[i] = zByS[i - 1] + STEP * StrictMath.cos(mid);
        }
        for (int i = before - 1; i >= 0; i--) {
            double mid = heading(sMin + (i + 0.5) * STEP);
            xByS[i] = xByS[i + 1] - STEP * StrictMath.sin(mid);
            zByS[i] = zByS[i + 1] - STEP * StrictMath.cos(mid);
        }
        // The heading stays within ±10°, so z grows monotonically with s and the curve is a function of z.
        zMin = Math.floor(zByS[0] / STEP) * STEP;
        int nz = (int) Math.ceil((zByS[n - 1] - zMin) / STEP) + 1;
        sByZ = new double[nz];
        xByZ = new double[nz];
        cosByZ = new double[nz];
        sinByZ = new double[nz];
        int j = 0;
        for (int k = 0; k < nz; k++) {
            double z = zMin + k * STEP;
            while (j < n - 2 && zByS[j + 1] < z) {
                j++;
            }
            double f = clamp((z - zByS[j]) / (zByS[j + 1] - zByS[j]), -8, 8);
            double s = sMin + (j + f) * STEP;
            sByZ[k] = s;
            xByZ[k] = x(s);
            double h = heading(s);
            cosByZ[k] = StrictMath.cos(h);
            sinByZ[k] = StrictMath.sin(h);
        }
    }

    /** A seeded gently winding street covering arc lengths {@code sFrom..sTo} (metres). */
    public static StreetLayout generate(SplittableRandom random, double sFrom, double sTo) {
        double a1 = Math.toRadians(3 + 3 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
        double l1 = 250 + 200 * random.nextDouble();
        double a2 = Math.toRadians(1 + 2 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
        double l2 = 80 + 60 * random.nextDouble();
        return new StreetLayout(a1, l1, a2, l2, sFrom, sTo);
    }

    /** Heading at arc length s, radians, positive turning right (+z towards +x); zero at s = 0. */
    public double heading(double s) {
        return amplitude1 * StrictMath.sin(2 * Math.PI * s / wavelength1)
                + amplitude2 * StrictMath.sin(2 * Math.PI * s / wavelength2);
    }

    /** World x of the centre curve at arc length s. */
    public double x(double s) {
        return interpolate(xByS, (s - sMin) / STEP);
    }

    /** World z of the centre curve at arc length s. */
    public double z(double s) {
        return interpolate(zByS, (s - sMin) / STEP);
    }

    /** World x of the point at arc length s and lateral offset l. */
    public double worldX(double s, double l) {
        return x(s) + l * StrictMath.cos(heading(s));
    }

    /** World z of the point at arc length s and lateral offset l. */
    public double worldZ(double s, double l) {
        return z(s) - l * StrictMath.sin(heading(s));
    }

    /** Lateral offset of the ground point (x, z) from the centre curve (positive right). */
    public double lateral(double x, double z) {
        double k = clamp((z - zMin) / STEP, 0, sByZ.length - 1.000001);
        return (x - interpolateAt(xByZ, k)) * interpolateAt(cosByZ, k);
    }

    /** Arc length of the curve point nearest to the ground point (x, z). */
    public double along(double x, double z) {
        double k = clamp((z - zMin) / STEP, 0, sByZ.length - 1.000001);
        return interpolateAt(sByZ, k) + (x - interpolateAt(xByZ, k)) * interpolateAt(sinByZ, k);
    }

    private static double interpolate(double[] table, double k) {
        return interpolateAt(table, clamp(k, 0, table.length - 1.000001));
    }

    private static double interpolateAt(double[] table, double k) {
        int i = (int) k;
        double f = k - i;
        return table[i] + f * (table[i + 1] - table[i]);
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : Math.min(v, hi);
    }
}
