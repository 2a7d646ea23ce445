package io.depthstream.operators.training;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checkpoint of {@link KittiTripletEnumerator}.
 *
 * @param nextEpoch the next epoch to cut into splits (epochs before it are cut)
 * @param pending splits cut but not handed out, in handing-out order
 * @param outstanding splits handed out and not yet reported finished, by reader subtask
 * @param parallelism the number of readers when taken: {@code outstanding} only means something for the same number
 */
public record TripletEnumeratorState(int nextEpoch, List<KittiTripletSplit> pending,
        Map<Integer, List<KittiTripletSplit>> outstanding, int parallelism) {

    public TripletEnumeratorState {
        pending = List.copyOf(pending);
        Map<Integer, List<KittiTripletSplit>> copy = new TreeMap<>();
        outstanding.forEach((reader, splits) -> copy.put(reader, List.copyOf(splits)));
        outstanding = Collections.unmodifiableMap(copy);
    }
}
