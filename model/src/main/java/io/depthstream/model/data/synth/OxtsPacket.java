package io.depthstream.model.data.synth;

import java.util.Locale;

/**
 * One line of KITTI's OXTS GPS/IMU data (30 numbers) derived from the camera trajectory. The synthetic car
 * drives on a flat road, so roll, pitch, vertical speed and their rates are 0; accelerometer readings carry no
 * gravity; accuracies and the receiver status fields (navstat, numsats, modes) are unknown and written as 0.
 *
 * @param lat latitude, degrees
 * @param lon longitude, degrees
 * @param alt altitude, metres
 * @param yaw heading, radians, 0 = east, counter-clockwise positive
 * @param vn velocity towards north, m/s
 * @param ve velocity towards east, m/s
 * @param vf forward velocity, m/s
 * @param vl leftward velocity, m/s
 * @param af forward acceleration, m/s²
 * @param al leftward acceleration, m/s²
 * @param wu yaw rate about the upward axis, rad/s
 */
public record OxtsPacket(double lat, double lon, double alt, double yaw, double vn, double ve, double vf, double vl,
                         double af, double al, double wu) {

    private static final double EARTH_RADIUS = 6378137.0;

    /**
     * The packet at frame {@code i} of {@code drive}, whose first camera position sits at ({@code lat0},
     * {@code lon0}, {@code alt0}) heading {@code heading0} (radians from east, counter-clockwise).
     * Rates are central differences over neighbouring frames (one-sided at the ends).
     */
    public static OxtsPacket at(SyntheticDrive drive, int i, double lat0, double lon0, double alt0, double heading0) {
        int prev = Math.max(0, i - 1);
        int next = Math.min(drive.frames() - 1, i + 1);
        double dt = (next - prev) / SyntheticDrive.FRAME_RATE;
        RigidTransform p0 = drive.cameraToWorld(prev);
        RigidTransform p1 = drive.cameraToWorld(i);
        RigidTransform p2 = drive.cameraToWorld(next);
        double cos0 = StrictMath.cos(heading0);
        double sin0 = StrictMath.sin(heading0);
        double x = p1.get(0, 3);
        double z = p1.get(2, 3);
        // World z (the first forward direction) points along heading0; world x (right) 90° clockwise of it.
        double east = z * cos0 + x * sin0;
        double north = z * sin0 - x * cos0;
        double lat = lat0 + Math.toDegrees(north / EARTH_RADIUS);
        double lon = lon0 + Math.toDegrees(east / (EARTH_RADIUS * StrictMath.cos(Math.toRadians(lat0))));
        double vx = (p2.get(0, 3) - p0.get(0, 3)) / dt;
        double vz = (p2.get(2, 3) - p0.get(2, 3)) / dt;
        double theta = yawOf(p1);
        double forwardX = StrictMath.sin(theta);
        double forwardZ = StrictMath.cos(theta);
        double vf = vx * forwardX + vz * forwardZ;
        double vl = -(vx * forwardZ - vz * forwardX);
        double wu = -(yawOf(p2) - yawOf(p0)) / dt;
        double af = 0;
        if (next - prev == 2) {
            double sPrev = distance(p0, p1);
            double sNext = distance(p1, p2);
            af = (sNext - sPrev) * SyntheticDrive.FRAME_RATE * SyntheticDrive.FRAME_RATE;
        }
        double al = vf * wu;
        return new OxtsPacket(lat, lon, alt0, normalise(heading0 - theta), vz * sin0 - vx * cos0,
                vz * cos0 + vx * sin0, vf, vl, af, al, wu);
    }

    /** The 30 numbers of KITTI's oxts/data/*.txt line. */
    public String toLine() {
        double[] values = {
            lat, lon, alt, 0, 0, yaw, vn, ve, vf, vl, 0,
            af, al, 0, af, al, 0,
            0, 0, wu, 0, 0, wu,
            0, 0};
        StringBuilder line = new StringBuilder();
        for (double v : values) {
            line.append(String.format(Locale.ROOT, "%.12g ", v == 0 ? 0.0 : v));
        }
        line.append("0 0 0 0 0");
        return line.toString();
    }

    private static double yawOf(RigidTransform pose) {
        return StrictMath.atan2(pose.get(0, 2), pose.get(2, 2));
    }

    private static double distance(RigidTransform a, RigidTransform b) {
        return Math.hypot(b.get(0, 3) - a.get(0, 3), b.get(2, 3) - a.get(2, 3));
    }

    private static double normalise(double angle) {
        return StrictMath.atan2(StrictMath.sin(angle), StrictMath.cos(angle));
    }
}
