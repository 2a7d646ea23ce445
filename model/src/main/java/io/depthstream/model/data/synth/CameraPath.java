package io.depthstream.model.data.synth;

import java.util.SplittableRandom;

/**
 * Where the camera is at every frame: arc length along the street at about 1 m per frame (10 Hz, ≈ 36 km/h),
 * optionally standing still for stretches of frames as at a traffic light.
 */
public final class CameraPath {

    private final StreetLayout layout;
    private final double[] arc;

    private CameraPath(StreetLayout layout, double[] arc) {
        this.layout = layout;
        this.arc = arc;
    }

    /**
     * Arc lengths for {@code frames} frames starting at 0; with {@code staticStretch} one stand-still of
     * 3–20 frames per 150 frames (drives shorter than 10 frames have none).
     */
    public static double[] arcLengths(SplittableRandom random, int frames, boolean staticStretch) {
        double period = 60 + 60 * random.nextDouble();
        double phase = 2 * Math.PI * random.nextDouble();
        boolean[] still = new boolean[frames];
        if (staticStretch && frames >= 10) {
            int stretches = Math.max(1, frames / 150);
            int length = Math.max(3, Math.min(20, frames / 10));
            for (int k = 0; k < stretches; k++) {
                int slot = frames / stretches;
                int start = k * slot + slot / 3 + random.nextInt(Math.max(1, slot / 3));
                for (int f = start; f < Math.min(frames, start + length); f++) {
                    still[f] = true;
                }
            }
        }
        double[] arc = new double[frames];
        for (int f = 1; f < frames; f++) {
            double speed = still[f] ? 0 : 1.0 + 0.08 * StrictMath.sin(2 * Math.PI * f / period + phase);
            arc[f] = arc[f - 1] + speed;
        }
        return arc;
    }

    /** The path over {@code layout} through the given per-frame arc lengths. */
    public static CameraPath of(StreetLayout layout, double[] arcLengths) {
        return new CameraPath(layout, arcLengths.clone());
    }

    /** Number of frames. */
    public int frames() {
        return arc.length;
    }

    /** Arc length of the camera at {@code frame}, metres. */
    public double arcLength(int frame) {
        return arc[frame];
    }

    /** Distance driven over the whole path, metres. */
    public double totalLength() {
        return arc[arc.length - 1];
    }

    /** Camera-to-world pose at {@code frame}; frame 0 is the identity. */
    public RigidTransform cameraToWorld(int frame) {
        double s = arc[frame];
        return RigidTransform.yawThenTranslate(layout.heading(s), layout.x(s), 0, layout.z(s));
    }
}
