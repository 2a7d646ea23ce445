package io.depthstream.model.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Hand-made KITTI calibration text and scans with round numbers, so a projected pixel can be worked out by hand:
 * camera axes follow KITTI's (x_cam = −y_velo, y_cam = −z_velo, z_cam = x_velo), R_rect_00 = I, T = 0.
 */
final class SyntheticKitti {

    private SyntheticKitti() {
    }

    /** calib_cam_to_cam.txt text with P_rect_0x = [[f,0,cx,0],[0,f,cy,0],[0,0,1,0]] for all cameras. */
    static String camToCam(double f, double cx, double cy, int width, int height) {
        StringBuilder text = new StringBuilder("calib_time: 09-Jan-2012 13:57:47\n");
        text.append("R_rect_00: 1 0 0 0 1 0 0 0 1\n");
        for (int cam = 0; cam <= 3; cam++) {
            text.append("S_rect_0").append(cam).append(": ").append(width).append(' ').append(height).append('\n');
            text.append("P_rect_0").append(cam).append(": ").append(f).append(" 0 ").append(cx).append(" 0 0 ")
                    .append(f).append(' ').append(cy).append(" 0 0 0 1 0\n");
        }
        return text.toString();
    }

    /** calib_velo_to_cam.txt text with KITTI's axis permutation and no offset. */
    static String veloToCam() {
        return "calib_time: 15-Mar-2012 11:37:16\nR: 0 -1 0 0 0 -1 1 0 0\nT: 0 0 0\n";
    }

    /** A KITTI .bin of the given x, y, z, reflectance quadruples. */
    static byte[] bin(float... xyzr) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * xyzr.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : xyzr) {
            buffer.putFloat(v);
        }
        return buffer.array();
    }
}
