package io.depthstream.operators.inference;

import java.util.OptionalDouble;

/**
 * One triplet's network output in the units it is reported in: metres when a camera height is configured and the
 * frame's ground-plane fit is accepted, the model's units otherwise.
 *
 * @param depth the depth map, in {@code kind}'s unit
 * @param prevToCur motion prev→cur in {@code kind}'s unit, or null
 * @param curToNext motion cur→next in {@code kind}'s unit, or null
 * @param kind the unit
 * @param acceptedScale the frame's accepted metric scale, or NaN when none
 * @param trajectoryStep motion prev→cur in the unit of the camera's trajectory (or null): a frame whose fit is
 *     rejected reports relative units, but its step joins the trajectory at the camera's latest accepted scale,
 *     so a metric trajectory does not mix units
 */
public record ScaledOutput(
        float[] depth, float[] prevToCur, float[] curToNext, ScaleKind kind, double acceptedScale, float[] trajectoryStep) {

    /**
     * Scales an output.
     *
     * @param ground the ground-plane fit, or null for relative scale
     * @param previous the camera's track so far, or null
     */
    public static ScaledOutput of(TripletInference.Output out, int width, int height, GroundPlaneScale ground,
                                  CameraTrack previous) {
        float[] depth = out.depth();
        float[] prevToCur = out.prevToCur();
        float[] curToNext = out.curToNext();
        if (ground != null) {
            OptionalDouble fitted = ground.scale(depth, width, height, out.intrinsics());
            if (fitted.isPresent()) {
                double scale = fitted.getAsDouble();
                float[] metric = new float[depth.length];
                for (int p = 0; p < depth.length; p++) {
                    metric[p] = (float) (depth[p] * scale);
                }
                float[] step = prevToCur == null ? null : CameraMotion.scaled(prevToCur, scale);
                return new ScaledOutput(metric, step, curToNext == null ? null : CameraMotion.scaled(curToNext, scale),
                        ScaleKind.METRIC, scale, step);
            }
        }
        float[] step = prevToCur;
        if (step != null && previous != null && !Double.isNaN(previous.metricScale())) {
            step = CameraMotion.scaled(step, previous.metricScale());
        }
        return new ScaledOutput(depth, prevToCur, curToNext, ScaleKind.RELATIVE, Double.NaN, step);
    }
}
