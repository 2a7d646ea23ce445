package io.depthstream.operators.inference;

import io.depthstream.model.data.synth.RigidTransform;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CameraTrackTest {

    private static final double[] IDENTITY = RigidTransform.identity().m();

    @Test
    void drivingForwardIsAPositiveZMotion() {
        // camera moved 1 unit forward: the network's T_cur←prev maps prev points to cur as X − (0, 0, 1)
        float[] network = {0, 0, 0, 0, 0, -1};
        assertThat(CameraMotion.fromNetworkOutput(network)).containsExactly(new float[] {0, 0, 0, 0, 0, 1}, within(1e-7f));
    }

    @Test
    void theMotionIsTheInverseOfTheNetworksTransform() {
        float[] network = {0.05f, -0.2f, 0.1f, 0.3f, -0.1f, 0.8f};
        RigidTransform product = CameraMotion.transform(CameraMotion.fromNetworkOutput(network))
                .compose(CameraMotion.transform(network));
        assertThat(product.m()).containsExactly(IDENTITY, within(1e-6));
    }

    @Test
    void rotationFollowsRodrigues() {
        // a quarter turn about y (down) turns +z (forward) towards +x (right)
        RigidTransform turn = CameraMotion.transform(new float[] {0, (float) (Math.PI / 2), 0, 0, 0, 0});
        double[] out = new double[3];
        turn.applyToDirection(0, 0, 1, out);
        assertThat(out).containsExactly(new double[] {1, 0, 0}, within(1e-6));
    }

    @Test
    void posesAccumulateCameraToWorld() {
        // each step: 2 units forward in the camera's own axes, then a turn of 0.1 rad to the right
        float[] step = {0, 0.1f, 0, 0, 0, 2};
        CameraTrack track = CameraTrack.follow(null, 10, null, Double.NaN);
        assertThat(track.worldFromCamera()).containsExactly(IDENTITY);
        for (long seq = 11; seq <= 13; seq++) {
            track = CameraTrack.follow(track, seq, step, Double.NaN);
        }
        // closed form: heading after k steps is k·0.1; position sums 2·(sin, 0, cos) of the headings 0, 0.1, 0.2
        double x = 2 * (Math.sin(0) + Math.sin(0.1) + Math.sin(0.2));
        double z = 2 * (Math.cos(0) + Math.cos(0.1) + Math.cos(0.2));
        double c = Math.cos(0.3);
        double s = Math.sin(0.3);
        assertThat(track.lastSeq()).isEqualTo(13);
        assertThat(track.worldFromCamera()).containsExactly(new double[] {c, 0, s, x, 0, 1, 0, 0, -s, 0, c, z}, within(1e-6));
    }

    @Test
    void aGapOrAMissingPreviousFrameRestartsAtTheIdentity() {
        float[] step = {0, 0, 0, 0, 0, 1};
        CameraTrack track = CameraTrack.follow(CameraTrack.follow(null, 0, null, Double.NaN), 1, step, Double.NaN);
        assertThat(track.worldFromCamera()[11]).isEqualTo(1.0);

        assertThat(CameraTrack.follow(track, 3, step, Double.NaN).worldFromCamera()).containsExactly(IDENTITY);
        assertThat(CameraTrack.follow(track, 2, null, Double.NaN).worldFromCamera()).containsExactly(IDENTITY);
        assertThat(CameraTrack.follow(track, 1, step, Double.NaN).worldFromCamera()).containsExactly(IDENTITY);
        assertThat(CameraTrack.follow(track, 2, step, Double.NaN).worldFromCamera()[11]).isEqualTo(2.0);
    }

    @Test
    void theLatestAcceptedMetricScaleIsKept() {
        CameraTrack first = CameraTrack.follow(null, 0, null, 3.0);
        CameraTrack second = CameraTrack.follow(first, 1, new float[6], Double.NaN);
        CameraTrack third = CameraTrack.follow(second, 2, new float[6], 4.0);
        assertThat(second.metricScale()).isEqualTo(3.0);
        assertThat(third.metricScale()).isEqualTo(4.0);
        assertThat(CameraTrack.follow(null, 0, null, Double.NaN).metricScale()).isNaN();
    }

    @Test
    void stateAndResultsUseFlinksRecordSerializerNotKryo() {
        assertThat(org.apache.flink.api.common.typeinfo.TypeInformation.of(CameraTrack.class))
                .isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
        assertThat(org.apache.flink.api.common.typeinfo.TypeInformation.of(DepthResult.class))
                .isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
    }
}
