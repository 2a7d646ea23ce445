package io.depthstream.operators.inference;

import io.depthstream.model.data.synth.RigidTransform;

/**
 * One camera's trajectory so far, kept in Flink keyed state so it survives failures: the last result's seq and
 * camera-to-world pose, and the last accepted metric scale.
 *
 * <p>Accumulation: {@code worldFromCamera(seq) = worldFromCamera(seq − 1) · T_prev←cur} when the triplet has its
 * previous frame and the track's last result is exactly seq − 1. Otherwise (a camera's first frame, a gap, a
 * triplet without a previous frame, or a seq that does not follow) the pose restarts at the identity: the
 * motion across a gap is unknown, and a restart is easier to recognise downstream than a wrong jump.
 *
 * @param lastSeq seq of the camera's latest result
 * @param worldFromCamera that result's camera-to-world pose, 12 numbers row-major 3×4
 * @param metricScale the latest accepted ground-plane scale (model units → metres), or NaN when none yet
 */
public record CameraTrack(long lastSeq, double[] worldFromCamera, double metricScale) {

    public CameraTrack {
        if (worldFromCamera == null || worldFromCamera.length != 12) {
            throw new IllegalArgumentException("worldFromCamera needs 12 numbers");
        }
    }

    /**
     * The track after the result for {@code seq}.
     *
     * @param previous the track so far, or null for a camera not seen yet
     * @param prevToCur motion prev→cur in trajectory units, or null when the triplet has no previous frame
     * @param metricScale the scale accepted for this frame, or NaN when none (the previous one is kept)
     */
    public static CameraTrack follow(CameraTrack previous, long seq, float[] prevToCur, double metricScale) {
        boolean continues = previous != null && prevToCur != null && previous.lastSeq == seq - 1;
        RigidTransform pose = continues
                ? new RigidTransform(previous.worldFromCamera).compose(CameraMotion.transform(prevToCur))
                : RigidTransform.identity();
        double scale = !Double.isNaN(metricScale) || previous == null ? metricScale : previous.metricScale;
        return new CameraTrack(seq, pose.m(), scale);
    }
}
