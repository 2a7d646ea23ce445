package io.depthstream.operators.inference;

import io.depthstream.model.geometry.Intrinsics;

import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Metric scale for a monocular depth map from the road: the lower image region is back-projected, a plane is fitted
 * to it robustly, and the camera's distance to that plane is compared with the camera's known mounting height.
 *
 * <p>The fit is RANSAC over three-point planes (a fixed seed, so the same depth map always gives the same answer)
 * with a least-squares refinement on the inliers. A fit is rejected, and the frame keeps its relative scale, when
 * fewer than {@link #MIN_POINTS} valid points lie in the region or fit the plane, when less than
 * {@link #MIN_INLIER_FRACTION} of them fit it, or when the plane's normal is more than {@link #MAX_TILT_DEGREES}
 * from the camera's vertical axis (a wall, a car or a slope filling the lower image is no road).
 *
 * @param cameraHeightM the camera's height above the road, metres
 */
public record GroundPlaneScale(double cameraHeightM) {

    /** The region starts at this fraction of the image height (below the horizon of a level camera). */
    public static final double REGION_TOP = 0.6;
    /** Columns this close to either side (fraction of the width) are left out: kerbs and parked cars. */
    public static final double REGION_SIDE_MARGIN = 0.1;
    /** Fewest points a plane needs. */
    public static final int MIN_POINTS = 50;
    /** Smallest share of the region's points that must lie on the plane. */
    public static final double MIN_INLIER_FRACTION = 0.3;
    /** Largest angle between the plane's normal and the camera's y axis. */
    public static final double MAX_TILT_DEGREES = 20;
    /** A point fits a plane when its distance is within this fraction of the camera's distance to the plane. */
    public static final double INLIER_TOLERANCE = 0.05;

    private static final int MAX_SAMPLES = 4096;
    private static final int ITERATIONS = 200;
    private static final long SEED = 0x5EED_6E0DL;

    public GroundPlaneScale {
        if (!(cameraHeightM > 0) || Double.isInfinite(cameraHeightM)) {
            throw new IllegalArgumentException("camera height must be a positive number of metres, got " + cameraHeightM);
        }
    }

    /**
     * The factor that turns this depth map's units into metres, or empty when no plausible road plane is found.
     *
     * @param depth row-major {@code width·height} depths (any consistent unit; non-positive or non-finite = invalid)
     * @param intrinsics pinhole intrinsics in pixels of this depth map
     */
    public OptionalDouble scale(float[] depth, int width, int height, Intrinsics intrinsics) {
        OptionalDouble estimate = cameraHeight(depth, width, height, intrinsics);
        return estimate.isPresent() ? OptionalDouble.of(cameraHeightM / estimate.getAsDouble()) : OptionalDouble.empty();
    }

    /** The camera's distance to the fitted road plane, in the depth map's units, or empty when rejected. */
    public static OptionalDouble cameraHeight(float[] depth, int width, int height, Intrinsics intrinsics) {
        if (depth.length != width * height) {
            throw new IllegalArgumentException("expected " + width * height + " depths, got " + depth.length);
        }
        double[][] points = regionPoints(depth, width, height, intrinsics);
        int count = points[0].length;
        if (count < MIN_POINTS) {
            return OptionalDouble.empty();
        }
        double minNormalY = Math.cos(Math.toRadians(MAX_TILT_DEGREES));
        SplittableRandom random = new SplittableRandom(SEED);
        double[] best = null;
        int bestInliers = 0;
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            int a = random.nextInt(count);
            int b = random.nextInt(count);
            int c = random.nextInt(count);
            if (a == b || b == c || a == c) {
                continue;
            }
            double[] plane = throughThree(points, a, b, c);
            if (plane == null || plane[1] < minNormalY) {
                continue;
            }
            int inliers = countInliers(points, plane, null);
            if (inliers > bestInliers) {
                bestInliers = inliers;
                best = plane;
            }
        }
        if (best == null) {
            return OptionalDouble.empty();
        }
        // Two refinements: least squares on the inliers, then on the inliers of the refined plane.
        for (int round = 0; round < 2; round++) {
            boolean[] inlier = new boolean[count];
            countInliers(points, best, inlier);
            double[] refined = leastSquares(points, inlier);
            if (refined == null) {
                return OptionalDouble.empty();
            }
            best = refined;
        }
        int inliers = countInliers(points, best, null);
        if (inliers < MIN_POINTS || inliers < MIN_INLIER_FRACTION * count || best[1] < minNormalY || !(best[3] > 0)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(best[3]);
    }

    /** Back-projected points of the region, as {x[], y[], z[]}, on a grid thinned to at most MAX_SAMPLES points. */
    private static double[][] regionPoints(float[] depth, int width, int height, Intrinsics k) {
        int top = (int) Math.floor(REGION_TOP * height);
        int left = (int) Math.floor(REGION_SIDE_MARGIN * width);
        int right = width - left;
        long cells = (long) (height - top) * Math.max(0, right - left);
        int stride = Math.max(1, (int) Math.ceil(Math.sqrt((double) cells / MAX_SAMPLES)));
        int capacity = (int) Math.min(cells, ((long) (height - top) / stride + 1) * ((right - left) / stride + 1));
        double[] xs = new double[capacity];
        double[] ys = new double[capacity];
        double[] zs = new double[capacity];
        int n = 0;
        for (int v = top; v < height; v += stride) {
            for (int u = left; u < right; u += stride) {
                float d = depth[v * width + u];
                double y = (v - k.cy()) / k.fy() * d;
                // only points below the optical centre can be the road under the camera
                if (!(d > 0) || !Float.isFinite(d) || !(y > 0) || n == capacity) {
                    continue;
                }
                xs[n] = (u - k.cx()) / k.fx() * d;
                ys[n] = y;
                zs[n] = d;
                n++;
            }
        }
        return new double[][] {java.util.Arrays.copyOf(xs, n), java.util.Arrays.copyOf(ys, n),
            java.util.Arrays.copyOf(zs, n)};
    }

    /** Plane {nx, ny, nz, h} with unit normal pointing down (ny ≥ 0) and n·X = h, or null for collinear points. */
    private static double[] throughThree(double[][] p, int a, int b, int c) {
        double ux = p[0][b] - p[0][a];
        double uy = p[1][b] - p[1][a];
        double uz = p[2][b] - p[2][a];
        double vx = p[0][c] - p[0][a];
        double vy = p[1][c] - p[1][a];
        double vz = p[2][c] - p[2][a];
        double nx = uy * vz - uz * vy;
        double ny = uz * vx - ux * vz;
        double nz = ux * vy - uy * vx;
        double norm = Math.sqrt(nx * nx + ny * ny + nz * nz);
        if (norm < 1e-12) {
            return null;
        }
        double sign = ny < 0 ? -1 : 1;
        nx *= sign / norm;
        ny *= sign / norm;
        nz *= sign / norm;
        return new double[] {nx, ny, nz, nx * p[0][a] + ny * p[1][a] + nz * p[2][a]};
    }

    private static int countInliers(double[][] p, double[] plane, boolean[] mark) {
        if (!(plane[3] > 0)) {
            return 0;
        }
        double tolerance = INLIER_TOLERANCE * plane[3];
        int count = 0;
        for (int i = 0; i < p[0].length; i++) {
            double distance = plane[0] * p[0][i] + plane[1] * p[1][i] + plane[2] * p[2][i] - plane[3];
            boolean in = Math.abs(distance) < tolerance;
            if (mark != null) {
                mark[i] = in;
            }
            if (in) {
                count++;
            }
        }
        return count;
    }

    /**
     * Least-squares plane y = a·x + b·z + c through the marked points (the road is far from vertical, so y is a
     * function of x and z), as {nx, ny, nz, h}; null when the points do not determine it.
     */
    private static double[] leastSquares(double[][] p, boolean[] use) {
        double sxx = 0, sxz = 0, szz = 0, sx = 0, sz = 0, n = 0, sxy = 0, szy = 0, sy = 0;
        for (int i = 0; i < use.length; i++) {
            if (!use[i]) {
                continue;
            }
            double x = p[0][i];
            double y = p[1][i];
            double z = p[2][i];
            sxx += x * x;
            sxz += x * z;
            szz += z * z;
            sx += x;
            sz += z;
            n++;
            sxy += x * y;
            szy += z * y;
            sy += y;
        }
        if (n < 3) {
            return null;
        }
        double[] abc = solve3(new double[] {sxx, sxz, sx, sxz, szz, sz, sx, sz, n}, new double[] {sxy, szy, sy});
        if (abc == null) {
            return null;
        }
        // y − a·x − b·z = c  →  unit normal (−a, 1, −b)/|…|, distance c/|…|
        double norm = Math.sqrt(abc[0] * abc[0] + 1 + abc[1] * abc[1]);
        return new double[] {-abc[0] / norm, 1 / norm, -abc[1] / norm, abc[2] / norm};
    }

    /** Solves the row-major 3×3 system m·x = r by Cramer's rule; null when singular. */
    private static double[] solve3(double[] m, double[] r) {
        double det = det3(m);
        if (Math.abs(det) < 1e-12 * Math.max(1, Math.abs(m[0] * m[4] * m[8]))) {
            return null;
        }
        double[] x = new double[3];
        for (int col = 0; col < 3; col++) {
            double[] replaced = m.clone();
            for (int row = 0; row < 3; row++) {
                replaced[row * 3 + col] = r[row];
            }
            x[col] = det3(replaced) / det;
        }
        return x;
    }

    private static double det3(double[] m) {
        return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
    }
}
