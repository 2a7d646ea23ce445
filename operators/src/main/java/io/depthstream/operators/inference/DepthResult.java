package io.depthstream.operators.inference;

import io.depthstream.model.geometry.Intrinsics;

import java.util.Objects;

/**
 * Depth and ego-motion inferred for one centre frame of a camera.
 *
 * <p>Pose conventions (camera axes as KITTI's: x right, y down, z forward). A <em>motion a→b</em> is six floats
 * {@code (rx, ry, rz, tx, ty, tz)}: the axis-angle vector r (angle = |r|, radians) and the translation t of the
 * rigid transform {@code T_a←b = [R(r) | t]} that maps a point from camera b's coordinates into camera a's,
 * {@code X_a = R·X_b + t}. It is camera b's pose seen from camera a: t is where b's optical centre lies in a's
 * coordinates, so driving forward gives {@code tz > 0}. The pose network's output for the ordered pair
 * [earlier, later] is the opposite transform {@code T_later←earlier} (the one monodepth2 warps the later frame
 * with), so both motions here are its inverse {@code [Rᵀ | −Rᵀt]}, as monodepth2 inverts its t−1 transform.
 * The accumulated pose is camera-to-world, {@code X_world = worldFromCamera · X_cam}, and
 * {@code worldFromCamera(seq) = worldFromCamera(seq − 1) · T_prev←cur}; see {@link CameraTrack} for when it
 * restarts at the identity.
 *
 * @param cameraId the camera
 * @param seq the centre frame's sequence number
 * @param captureTimeMs the centre frame's capture time, epoch ms
 * @param receivedAtMs when the job read the centre frame's record, epoch ms
 * @param emittedAtMs when this result left the inference operator, epoch ms
 * @param modelVersion the model that produced it
 * @param width depth map width (the network's input width)
 * @param height depth map height (the network's input height)
 * @param intrinsics the centre frame's intrinsics in pixels of the depth map (to back-project it)
 * @param depth {@code width·height} depths, row-major: model units ({@link ScaleKind#RELATIVE}: the disparity
 *     mapped through the model's depth range) or metres ({@link ScaleKind#METRIC})
 * @param posePrevToCur motion prev→cur ({@code T_prev←cur}), or null without a previous frame
 * @param poseCurToNext motion cur→next ({@code T_cur←next}), or null without a next frame
 * @param worldFromCamera accumulated camera-to-world pose, 12 numbers row-major 3×4 (a KITTI odometry line)
 * @param scale the unit of {@code depth} and of the two motions' translations
 * @param timings where the time went
 */
public record DepthResult(
        String cameraId,
        long seq,
        long captureTimeMs,
        long receivedAtMs,
        long emittedAtMs,
        String modelVersion,
        int width,
        int height,
        Intrinsics intrinsics,
        float[] depth,
        float[] posePrevToCur,
        float[] poseCurToNext,
        double[] worldFromCamera,
        ScaleKind scale,
        StageTimings timings) {

    public DepthResult {
        if (cameraId == null || cameraId.isEmpty()) {
            throw new IllegalArgumentException("a result needs a camera id");
        }
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(scale, "scale");
        Objects.requireNonNull(intrinsics, "intrinsics");
        Objects.requireNonNull(timings, "timings");
        if (width <= 0 || height <= 0 || depth == null || depth.length != width * height) {
            throw new IllegalArgumentException("depth must hold " + width + "x" + height + " values, got "
                    + (depth == null ? "none" : depth.length));
        }
        if (posePrevToCur != null && posePrevToCur.length != 6 || poseCurToNext != null && poseCurToNext.length != 6) {
            throw new IllegalArgumentException("a motion has 6 numbers (axis-angle, translation)");
        }
        if (worldFromCamera == null || worldFromCamera.length != 12) {
            throw new IllegalArgumentException("worldFromCamera needs 12 numbers (row-major 3x4)");
        }
    }

    /** Milliseconds from reading the centre frame's record to emitting this result. */
    public long latencyMs() {
        return emittedAtMs - receivedAtMs;
    }
}
