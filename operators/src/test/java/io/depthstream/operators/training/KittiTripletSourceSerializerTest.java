package io.depthstream.operators.training;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The split and enumerator-state serializers give back what they were given, and refuse what they cannot read. */
class KittiTripletSourceSerializerTest {

    private static final KittiTripletSplit A = new KittiTripletSplit(3, 0, new int[] {17, 4, 9}, 2);
    private static final KittiTripletSplit B = new KittiTripletSplit(3, 1, new int[] {1}, 0);
    private static final KittiTripletSplit C = new KittiTripletSplit(3, 2, new int[] {40_000, 12}, 1);

    @Test
    void aSplitRoundTripsWithItsLinesAndPosition() throws IOException {
        KittiTripletSplitSerializer serializer = KittiTripletSplitSerializer.INSTANCE;
        KittiTripletSplit back = serializer.deserialize(serializer.getVersion(), serializer.serialize(A));

        assertThat(back).isEqualTo(A);
        assertThat(back.lines()).containsExactly(17, 4, 9);
        assertThat(back.emitted()).isEqualTo(2);
        assertThat(back.splitId()).isEqualTo("epoch-3-split-0");
    }

    @Test
    void theEnumeratorStateRoundTrips() throws IOException {
        TripletEnumeratorStateSerializer serializer = TripletEnumeratorStateSerializer.INSTANCE;
        TripletEnumeratorState state = new TripletEnumeratorState(4, List.of(C, B), Map.of(0, List.of(A), 2, List.of()), 3);

        TripletEnumeratorState back = serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertThat(back).isEqualTo(state);
        assertThat(back.pending()).containsExactly(C, B);
        assertThat(back.outstanding()).containsOnlyKeys(0, 2);
        assertThat(back.outstanding().get(0)).containsExactly(A);
        assertThat(back.nextEpoch()).isEqualTo(4);
        assertThat(back.parallelism()).isEqualTo(3);
    }

    @Test
    void unknownVersionsAndTruncatedBytesAreRefused() throws IOException {
        byte[] bytes = KittiTripletSplitSerializer.INSTANCE.serialize(A);
        assertThatThrownBy(() -> KittiTripletSplitSerializer.INSTANCE.deserialize(2, bytes))
                .hasMessageContaining("unknown triplet split version 2");
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 4);
        assertThatThrownBy(() -> KittiTripletSplitSerializer.INSTANCE.deserialize(1, truncated))
                .isInstanceOf(IOException.class);
        byte[] state = TripletEnumeratorStateSerializer.INSTANCE.serialize(
                new TripletEnumeratorState(0, List.of(A), Map.of(), 1));
        byte[] longer = Arrays.copyOf(state, state.length + 1);
        assertThatThrownBy(() -> TripletEnumeratorStateSerializer.INSTANCE.deserialize(1, longer))
                .hasMessageContaining("1 trailing bytes");
    }
}
