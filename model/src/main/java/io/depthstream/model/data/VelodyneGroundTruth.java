package io.depthstream.model.data;

import java.io.IOException;
import java.util.Arrays;

/**
 * Sparse ground-truth depth from a Velodyne scan, computed the way the KITTI Eigen benchmark's published numbers
 * were: points with x_velo &lt; 0 dropped, projected with P_rect_0x · R_rect_00 · [R|T], depth = the point's
 * Velodyne x (not the camera z), pixel = round(u)−1, round(v)−1 (Matlab's one-based convention, ties to even),
 * later points overwriting earlier ones, then every group of points sharing the linear index row·(W−1)+col−1
 * writing its minimum depth at its first point's pixel, negatives cleared.
 *
 * <p>The W−1 in that index is a quirk of the reference computation (two pixels, the last of a row and the first
 * of the next, can share an index); it is kept because the published Eigen numbers depend on it.
 */
public final class VelodyneGroundTruth {

    private VelodyneGroundTruth() {
    }

    /** The ground-truth depth map of {@code camera} at its rectified size (S_rect_0x). */
    public static DepthMap project(VelodyneScan scan, KittiCalibration calibration, KittiCamera camera) {
        KittiCalibration.Size size = calibration.imageSize(camera);
        int width = size.width();
        int height = size.height();
        double[] m = calibration.veloToImage(camera);

        int n = scan.pointCount();
        int[] cols = new int[n];
        int[] rows = new int[n];
        float[] depths = new float[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            double x = scan.get(i, 0);
            double y = scan.get(i, 1);
            double z = scan.get(i, 2);
            if (x < 0) {
                continue;
            }
            double w = m[8] * x + m[9] * y + m[10] * z + m[11];
            double u = (m[0] * x + m[1] * y + m[2] * z + m[3]) / w;
            double v = (m[4] * x + m[5] * y + m[6] * z + m[7]) / w;
            double col = Math.rint(u) - 1;
            double row = Math.rint(v) - 1;
            // Comparisons on doubles: NaN (w = 0) and huge values fail them, as they do in the reference.
            if (!(col >= 0 && row >= 0 && col < width && row < height)) {
                continue;
            }
            cols[kept] = (int) col;
            rows[kept] = (int) row;
            depths[kept] = scan.get(i, 0);
            kept++;
        }

        float[] depth = new float[width * height];
        for (int k = 0; k < kept; k++) {
            depth[rows[k] * width + cols[k]] = depths[k];
        }

        // Linear index row·(W−1)+col−1 lies in [−1, H·(W−1)); shift by one to address arrays.
        int indexCount = height * (width - 1) + 1;
        int[] first = new int[indexCount];
        int[] count = new int[indexCount];
        float[] min = new float[indexCount];
        Arrays.fill(first, -1);
        for (int k = 0; k < kept; k++) {
            int index = rows[k] * (width - 1) + cols[k];
            if (count[index]++ == 0) {
                first[index] = k;
                min[index] = depths[k];
            } else if (depths[k] < min[index]) {
                min[index] = depths[k];
            }
        }
        for (int index = 0; index < indexCount; index++) {
            if (count[index] > 1) {
                int k = first[index];
                depth[rows[k] * width + cols[k]] = min[index];
            }
        }

        for (int i = 0; i < depth.length; i++) {
            if (depth[i] < 0) {
                depth[i] = 0;
            }
        }
        return new DepthMap(width, height, depth);
    }

    /** The ground truth of one frame of a drive in {@code archive}, with its date's calibration. */
    public static DepthMap of(KittiRawArchive archive, KittiDrive drive, int frame, KittiCamera camera) throws IOException {
        return project(archive.velodyne(drive, frame), archive.calibration(drive.date()), camera);
    }
}
