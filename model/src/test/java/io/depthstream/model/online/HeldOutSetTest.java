package io.depthstream.model.online;

import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.train.TrainingSample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeldOutSetTest {

    @Test
    void keepsTheMostRecentAndSnapshotsDoNotChangeLater() {
        List<TrainingSample> samples = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            float[] frame = {i, i, i};
            samples.add(new TrainingSample(frame, frame, frame, Intrinsics.kittiNormalised(64, 64)));
        }
        HeldOutSet set = new HeldOutSet(3);
        samples.subList(0, 4).forEach(set::add);
        List<TrainingSample> before = set.snapshot();

        set.add(samples.get(4));

        assertThat(before).containsExactlyElementsOf(samples.subList(1, 4));
        assertThat(set.snapshot()).containsExactlyElementsOf(samples.subList(2, 5));
        assertThat(set.size()).isEqualTo(3);
        assertThat(set.added()).isEqualTo(5);
    }
}
