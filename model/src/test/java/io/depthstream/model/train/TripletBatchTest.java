package io.depthstream.model.train;

import ai.djl.ndarray.NDManager;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TripletBatchTest {

    @Test
    void semanticMapsAreFlippedWithTheirSample() {
        int h = 2;
        int w = 3;
        float[] frame = new float[3 * h * w];
        SemanticMap map = new SemanticMap(w, h, new int[] {1, 2, 3, 4, 5, 6});
        TrainingSample labelled = new TrainingSample(frame, frame, frame, Intrinsics.kittiNormalised(w, h), map);
        TrainingSample unlabelled = labelled.withSemantic(null);
        try (NDManager manager = NDManager.newBaseManager()) {
            TripletBatch batch = new TripletBatch(manager, List.of(labelled, labelled, unlabelled),
                    List.of(Augmentation.none(), new Augmentation(null, true), new Augmentation(null, true)), h, w);
            assertThat(batch.semantic.get(0).classes()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(batch.semantic.get(1).classes()).containsExactly(3, 2, 1, 6, 5, 4);
            assertThat(batch.semantic.get(2)).isNull();
        }
    }
}
