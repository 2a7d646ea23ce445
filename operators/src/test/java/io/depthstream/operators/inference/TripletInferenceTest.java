package io.depthstream.operators.inference;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.triplet.Triplet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TripletInferenceTest {

    private static final ModelSource MODEL = ModelSource.random(
            ModelConfig.monodepth2(Architecture.LITE).withSize(SyntheticTriplets.HEIGHT, SyntheticTriplets.WIDTH), 5);

    @Test
    void eachPairOfACameraRunsOnceAcrossBatchesWithTheSameMotions() {
        List<Triplet> chain = SyntheticTriplets.triplets(SyntheticTriplets.frames("cam", 21, 7));
        List<TripletInference.Output> batched = new ArrayList<>();
        List<TripletInference.Output> alone = new ArrayList<>();
        long batchedPairs;
        try (TripletInference inference = new TripletInference(MODEL.load(DeviceChoice.CPU.resolve(0, 0)))) {
            for (int start = 0; start < chain.size(); start += 3) {
                batched.addAll(inference.run(chain.subList(start, Math.min(chain.size(), start + 3))));
            }
            batchedPairs = inference.posePairsRun();
        }
        for (Triplet triplet : chain) {
            // a fresh instance each time: every pair is computed, nothing reused
            try (TripletInference inference = new TripletInference(MODEL.load(DeviceChoice.CPU.resolve(0, 0)))) {
                alone.add(inference.run(List.of(triplet)).get(0));
            }
        }

        // 7 frames in a row have 6 distinct pairs; without sharing, 12 would run
        assertThat(batchedPairs).isEqualTo(6);
        for (int i = 0; i + 1 < chain.size(); i++) {
            assertThat(batched.get(i + 1).prevToCur()).as("triplet %d", i + 1)
                    .containsExactly(batched.get(i).curToNext());
        }
        for (int i = 0; i < chain.size(); i++) {
            if (alone.get(i).prevToCur() != null) {
                assertThat(batched.get(i).prevToCur()).containsExactly(alone.get(i).prevToCur(), within(1e-5f));
            }
            if (alone.get(i).curToNext() != null) {
                assertThat(batched.get(i).curToNext()).containsExactly(alone.get(i).curToNext(), within(1e-5f));
            }
        }
    }
}
