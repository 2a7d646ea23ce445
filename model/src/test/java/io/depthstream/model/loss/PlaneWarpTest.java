package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.geometry.BackprojectDepth;
import io.depthstream.model.geometry.BilinearSampler;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.geometry.IntrinsicsMatrix;
import io.depthstream.model.geometry.PoseMatrix;
import io.depthstream.model.geometry.Project3D;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A textured fronto-parallel plane seen from two camera positions, both views rendered analytically: warping with
 * the plane's true depth must explain the source view, a wrong depth must not.
 */
class PlaneWarpTest {

    private static final int H = 32;
    private static final int W = 96;
    private static final double PLANE_DEPTH = 4.0;
    /** Target-camera points map into the source camera by adding this (metres). */
    private static final double[] T = {0.3, 0.1, -0.4};
    private static final Intrinsics CAMERA = Intrinsics.kittiNormalised(W, H);
    /** Columns/rows near the border see plane parts outside the source view (border-clamped samples). */
    private static final int MARGIN_X = 12;
    private static final int MARGIN_Y = 6;

    @Test
    void trueDepthExplainsTheSourceViewAndWrongDepthsDoNot() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray target = manager.create(render(0), new Shape(1, 3, H, W));
            NDArray source = manager.create(render(T[2]), new Shape(1, 3, H, W));

            double trueDepth = interiorError(manager, target, source, PLANE_DEPTH);
            double tooNear = interiorError(manager, target, source, 0.7 * PLANE_DEPTH);
            double tooFar = interiorError(manager, target, source, 1.5 * PLANE_DEPTH);
            double identity = interior(ReprojectionError.of(source, target, 0.85));

            // what remains with the true depth is bilinear interpolation of a ~9-pixel-period texture
            assertThat(trueDepth).isLessThan(0.005);
            assertThat(tooNear).isGreaterThan(30 * trueDepth);
            assertThat(tooFar).isGreaterThan(30 * trueDepth);
            assertThat(identity).isGreaterThan(30 * trueDepth);
        }
    }

    @Test
    void theFullLossIsLowestAtTheTrueDepth() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray target = manager.create(render(0), new Shape(1, 3, H, W));
            NDArray source = manager.create(render(T[2]), new Shape(1, 3, H, W));
            PhotometricLoss loss = new PhotometricLoss(PhotometricLossConfig.monodepth2().withAutoMask(false)
                    .withIdentityNoise(0), new java.util.Random(0));

            double atTrue = totalFor(manager, loss, target, source, PLANE_DEPTH);
            double atNear = totalFor(manager, loss, target, source, 0.7 * PLANE_DEPTH);
            double atFar = totalFor(manager, loss, target, source, 1.5 * PLANE_DEPTH);

            assertThat(atTrue).isLessThan(atNear / 3).isLessThan(atFar / 3);
        }
    }

    private static double totalFor(NDManager manager, PhotometricLoss loss, NDArray target, NDArray source,
                                   double depth) {
        double sigmoid = (1 / depth - 1 / 100.0) / (1 / 0.1 - 1 / 100.0);
        NDArray disparity = manager.full(new Shape(1, 1, H, W), (float) sigmoid);
        PhotometricLossInput input = new PhotometricLossInput(target, null, new SourceView(source, transform(manager)),
                List.of(disparity), IntrinsicsMatrix.of(manager, List.of(CAMERA)),
                IntrinsicsMatrix.inverseOf(manager, List.of(CAMERA)));
        return loss.compute(input).total().getFloat();
    }

    private static double interiorError(NDManager manager, NDArray target, NDArray source, double depth) {
        NDArray depthMap = manager.full(new Shape(1, 1, H, W), (float) depth);
        NDArray points = BackprojectDepth.apply(depthMap, IntrinsicsMatrix.inverseOf(manager, List.of(CAMERA)));
        NDArray grid = Project3D.apply(points, IntrinsicsMatrix.of(manager, List.of(CAMERA)), transform(manager), H, W);
        return interior(ReprojectionError.of(BilinearSampler.sample(source, grid), target, 0.85));
    }

    private static NDArray transform(NDManager manager) {
        return PoseMatrix.fromParameters(manager.zeros(new Shape(1, 3)),
                manager.create(new float[] {(float) T[0], (float) T[1], (float) T[2]}, new Shape(1, 3)), false);
    }

    private static double interior(NDArray error) {
        return error.get(new NDIndex(":, :, " + MARGIN_Y + ":" + (H - MARGIN_Y) + ", " + MARGIN_X + ":" + (W - MARGIN_X)))
                .mean().getFloat();
    }

    /**
     * The view of a camera whose points are target-camera points + (T_x, T_y, tz) restricted to tz: the plane lies
     * at depth PLANE_DEPTH + tz in it, and a pixel's ray meets the plane at a target-camera point P_s − t.
     */
    private static float[] render(double tz) {
        double[] t = tz == 0 ? new double[] {0, 0, 0} : T;
        double depth = PLANE_DEPTH + t[2];
        float[] image = new float[3 * H * W];
        for (int v = 0; v < H; v++) {
            for (int u = 0; u < W; u++) {
                double x = (u - CAMERA.cx()) * depth / CAMERA.fx() - t[0];
                double y = (v - CAMERA.cy()) * depth / CAMERA.fy() - t[1];
                for (int c = 0; c < 3; c++) {
                    image[(c * H + v) * W + u] = (float) texture(x, y, c);
                }
            }
        }
        return image;
    }

    /** Smooth colour texture on the plane, periods of 0.6–0.9 m (about 8–13 pixels at the plane's depth). */
    private static double texture(double x, double y, int channel) {
        return 0.5 + 0.2 * Math.sin(2 * Math.PI * x / 0.7 + channel) * Math.cos(2 * Math.PI * y / 0.9 - channel)
                + 0.15 * Math.sin(2 * Math.PI * (x + y) / 0.6 + 2 * channel);
    }
}
