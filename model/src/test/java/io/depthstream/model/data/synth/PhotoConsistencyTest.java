package io.depthstream.model.data.synth;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ground-truth depth of one frame, moved by the true relative pose and projected with the true intrinsics,
 * must land on the same surface points in the next frame: this ties renderer, intrinsics and poses together.
 */
class PhotoConsistencyTest {

    /** Mean absolute colour difference (0..255) over the pixels that survive the visibility checks, and their count. */
    record Warp(double meanError, double identityError, int valid, int withDepth) {}

    static Warp warp(RenderedFrame a, RenderedFrame b, RigidTransform aToWorld, RigidTransform bToWorld, Intrinsics k) {
        RigidTransform aToB = bToWorld.inverse().compose(aToWorld);
        DepthMap da = a.depth();
        DepthMap db = b.depth();
        RgbImage ia = a.image();
        RgbImage ib = b.image();
        int w = ia.width();
        int h = ia.height();
        double[] p = new double[3];
        double error = 0;
        double identity = 0;
        int valid = 0;
        int withDepth = 0;
        for (int v = 0; v < h; v++) {
            for (int u = 0; u < w; u++) {
                double z = da.get(u, v);
                if (z <= 0) {
                    continue;
                }
                withDepth++;
                aToB.applyToPoint(z * (u - k.cx()) / k.fx(), z * (v - k.cy()) / k.fy(), z, p);
                if (p[2] < 0.5) {
                    continue;
                }
                double ub = k.fx() * p[0] / p[2] + k.cx();
                double vb = k.fy() * p[1] / p[2] + k.cy();
                int u0 = (int) Math.floor(ub);
                int v0 = (int) Math.floor(vb);
                if (u0 < 0 || v0 < 0 || u0 + 1 >= w || v0 + 1 >= h) {
                    continue;
                }
                // Occluded or at a depth edge in b: some neighbour sees another surface.
                boolean visible = true;
                for (int dv = 0; dv <= 1 && visible; dv++) {
                    for (int du = 0; du <= 1; du++) {
                        double zb = db.get(u0 + du, v0 + dv);
                        if (Math.abs(zb - p[2]) > 0.03 * p[2]) {
                            visible = false;
                            break;
                        }
                    }
                }
                if (!visible) {
                    continue;
                }
                double fu = ub - u0;
                double fv = vb - v0;
                for (int c = 0; c < 3; c++) {
                    double top = ib.get(u0, v0, c) * (1 - fu) + ib.get(u0 + 1, v0, c) * fu;
                    double bottom = ib.get(u0, v0 + 1, c) * (1 - fu) + ib.get(u0 + 1, v0 + 1, c) * fu;
                    double sampled = top * (1 - fv) + bottom * fv;
                    error += Math.abs(sampled - ia.get(u, v, c)) / 3;
                    identity += Math.abs(ib.get(u, v, c) - ia.get(u, v, c)) / 3;
                }
                valid++;
            }
        }
        return new Warp(error / valid, identity / valid, valid, withDepth);
    }

    @Test
    void groundTruthDepthAndPoseWarpAFrameOntoTheNext() {
        SyntheticDrive drive = SyntheticDrive.generate(7, new DriveOptions(12, 310, 94, false, false));
        for (int f : new int[] {3, 8}) {
            Warp warp = warp(drive.render(f), drive.render(f + 1), drive.cameraToWorld(f), drive.cameraToWorld(f + 1),
                    drive.intrinsics());

            assertThat(warp.valid()).as("pixels that stay visible").isGreaterThan(warp.withDepth() / 2);
            assertThat(warp.meanError()).as("warp error, grey levels").isLessThan(3.0);
            assertThat(warp.identityError()).as("error without motion compensation").isGreaterThan(4 * warp.meanError());
        }
    }

    @Test
    void aWrongPoseBreaksPhotoConsistency() {
        SyntheticDrive drive = SyntheticDrive.generate(7, new DriveOptions(12, 310, 94, false, false));
        RigidTransform truth = drive.cameraToWorld(5);
        RigidTransform tooFar = truth.compose(RigidTransform.yawThenTranslate(0, 0, 0, 0.3));

        Warp right = warp(drive.render(4), drive.render(5), drive.cameraToWorld(4), truth, drive.intrinsics());
        Warp wrong = warp(drive.render(4), drive.render(5), drive.cameraToWorld(4), tooFar, drive.intrinsics());

        assertThat(wrong.meanError()).isGreaterThan(1.5 * right.meanError());
    }

    @Test
    void fullResolutionFramesAreAsConsistent() {
        SyntheticDrive drive = SyntheticDrive.generate(11, DriveOptions.kitti(4));
        Warp warp = warp(drive.render(1), drive.render(2), drive.cameraToWorld(1), drive.cameraToWorld(2),
                drive.intrinsics());

        assertThat(warp.valid()).isGreaterThan(warp.withDepth() / 2);
        assertThat(warp.meanError()).isLessThan(3.0);
        assertThat(warp.identityError()).isGreaterThan(4 * warp.meanError());
    }
}
