package io.depthstream.model.data.synth;

import java.util.stream.IntStream;

/**
 * A 64-beam spinning lidar like KITTI's Velodyne HDL-64E: beams evenly spaced from +2° to −24.9° elevation,
 * a full turn of azimuths, points in the velodyne frame (x forward, y left, z up) with the surface albedo as
 * reflectance. The sweep is instantaneous (no rolling motion during the turn) and noise-free: it is ground truth.
 */
public final class VelodyneScanner {

    /** Number of lasers. */
    public static final int BEAMS = 64;
    /** Highest beam elevation, degrees. */
    public static final double TOP_ELEVATION = 2.0;
    /** Lowest beam elevation, degrees. */
    public static final double BOTTOM_ELEVATION = -24.9;
    /** Longest range that returns a point, metres. */
    public static final double MAX_RANGE = 120;
    /** Shortest range that returns a point, metres (returns from the car's own body are filtered out). */
    public static final double MIN_RANGE = 2.0;

    private final RayCaster caster;
    private final int azimuths;

    /** A lidar looking into the caster's scene with {@code azimuths} firings per turn (KITTI: about 2000). */
    public VelodyneScanner(RayCaster caster, int azimuths) {
        if (azimuths < 1) {
            throw new IllegalArgumentException("azimuths must be positive: " + azimuths);
        }
        this.caster = caster;
        this.azimuths = azimuths;
    }

    /**
     * One sweep from the pose {@code veloToWorld} at (fractional) frame time {@code frame}: x, y, z, reflectance
     * per point in firing order (azimuth from behind, counter-clockwise seen from above, then beams top down).
     */
    public float[] scan(RigidTransform veloToWorld, double frame) {
        RigidTransform worldToVelo = veloToWorld.inverse();
        Box[] moving = caster.movingBoxes(frame);
        double ox = veloToWorld.get(0, 3);
        double oy = veloToWorld.get(1, 3);
        double oz = veloToWorld.get(2, 3);
        float[][] columns = IntStream.range(0, azimuths).parallel().mapToObj(a -> {
            Ray ray = new Ray();
            Hit hit = new Hit();
            double[] dir = new double[3];
            double[] point = new double[3];
            double[] colour = new double[3];
            float[] column = new float[BEAMS * 4];
            int n = 0;
            double azimuth = -Math.PI + 2 * Math.PI * a / azimuths;
            double ca = StrictMath.cos(azimuth);
            double sa = StrictMath.sin(azimuth);
            for (int b = 0; b < BEAMS; b++) {
                double elevation = Math.toRadians(TOP_ELEVATION + (BOTTOM_ELEVATION - TOP_ELEVATION) * b / (BEAMS - 1));
                double ce = StrictMath.cos(elevation);
                veloToWorld.applyToDirection(ce * ca, ce * sa, StrictMath.sin(elevation), dir);
                ray.set(ox, oy, oz, dir[0], dir[1], dir[2]);
                double length = Math.sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
                if (!caster.trace(ray, MAX_RANGE / length, moving, hit) || hit.t * length < MIN_RANGE) {
                    continue;
                }
                double reflectance = caster.reflectance(ray, hit, 0.002 * hit.t * length, colour);
                worldToVelo.applyToPoint(ox + hit.t * dir[0], oy + hit.t * dir[1], oz + hit.t * dir[2], point);
                column[n++] = (float) point[0];
                column[n++] = (float) point[1];
                column[n++] = (float) point[2];
                column[n++] = (float) reflectance;
            }
            float[] used = new float[n];
            System.arraycopy(column, 0, used, 0, n);
            return used;
        }).toArray(float[][]::new);
        int total = 0;
        for (float[] column : columns) {
            total += column.length;
        }
        float[] points = new float[total];
        int at = 0;
        for (float[] column : columns) {
            System.arraycopy(column, 0, points, at, column.length);
            at += column.length;
        }
        return points;
    }
}
