package io.depthstream.model.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One Velodyne sweep as KITTI stores it: float32 x, y, z (metres, velodyne frame: x forward, y left, z up) and
 * reflectance per point.
 *
 * @param xyzr {@code 4·pointCount} floats, point after point
 */
public record VelodyneScan(float[] xyzr) {

    public VelodyneScan {
        if (xyzr.length % 4 != 0) {
            throw new IllegalArgumentException("a Velodyne scan holds 4 floats per point, got " + xyzr.length);
        }
    }

    /** Decodes a KITTI {@code .bin} file (little-endian float32 quadruples). */
    public static VelodyneScan decode(byte[] bin) {
        if (bin.length % 16 != 0) {
            throw new IllegalArgumentException(
                    "a KITTI velodyne .bin has 16 bytes per point; " + bin.length + " bytes is not a multiple of 16");
        }
        float[] values = new float[bin.length / 4];
        ByteBuffer.wrap(bin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return new VelodyneScan(values);
    }

    /** Number of points. */
    public int pointCount() {
        return xyzr.length / 4;
    }

    /** Coordinate {@code axis} (0 = x, 1 = y, 2 = z, 3 = reflectance) of point {@code i}. */
    public float get(int i, int axis) {
        return xyzr[4 * i + axis];
    }
}
