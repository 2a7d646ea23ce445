package io.depthstream.operators.training;

import io.depthstream.operators.training.RecordingEnumeratorContext.Assignment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@link KittiTripletEnumerator} cuts epochs into splits and hands them out, on a recording context. */
class KittiTripletSourceEnumeratorTest {

    private static final long SEED = 5;
    /** Ten split lines, numbered as a file with a blank second line would number them. */
    private static final List<Integer> LINES = List.of(1, 3, 4, 5, 6, 7, 8, 9, 10, 11);

    private static TripletSourceConfig config(int epochs, int startEpoch, int... consumed) {
        return new TripletSourceConfig("/kitti", "/splits/train_files.txt", epochs, SEED, 3, startEpoch, consumed);
    }

    private static KittiTripletEnumerator enumerator(RecordingEnumeratorContext context, TripletSourceConfig config) {
        return new KittiTripletEnumerator(context, config, LINES, KittiTripletEnumerator.initialState(config));
    }

    private static List<Integer> lines(List<Assignment> assignments) {
        List<Integer> lines = new ArrayList<>();
        for (Assignment assignment : assignments) {
            for (int line : assignment.split().lines()) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void theNextEpochStartsOnlyWhenEveryReaderHasFinishedTheLastSplitOfTheEpochBefore() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        KittiTripletEnumerator enumerator = enumerator(context, config(2, 0));

        enumerator.handleSplitRequest(0, "host");
        enumerator.handleSplitRequest(1, "host");
        enumerator.handleSplitRequest(0, "host");
        enumerator.handleSplitRequest(1, "host");
        List<Assignment> epoch0 = context.take();
        assertThat(epoch0).extracting(Assignment::reader).containsExactly(0, 1, 0, 1);
        assertThat(epoch0).extracting(a -> a.split().epoch()).containsOnly(0);
        assertThat(epoch0).extracting(a -> a.split().size()).containsExactly(3, 3, 3, 1);
        assertThat(lines(epoch0)).isEqualTo(TrainingSeeds.epochOrder(LINES, SEED, 0));

        // reader 0 is done, but reader 1 still reads epoch 0's last split: reader 0 waits
        enumerator.handleSplitRequest(0, "host");
        assertThat(context.take()).isEmpty();
        // reader 1 finishes it: both get epoch 1's first splits, the waiting reader first
        enumerator.handleSplitRequest(1, "host");
        List<Assignment> started = context.take();
        assertThat(started).extracting(Assignment::reader).containsExactly(0, 1);
        assertThat(started).extracting(a -> a.split().epoch()).containsOnly(1);

        enumerator.handleSplitRequest(0, "host");
        enumerator.handleSplitRequest(0, "host");
        List<Assignment> rest = context.take();
        List<Integer> epoch1 = new ArrayList<>(lines(started));
        epoch1.addAll(lines(rest));
        assertThat(epoch1).containsExactlyInAnyOrderElementsOf(LINES);
        assertThat(TrainingSeeds.epochOrder(LINES, SEED, 1)).isNotEqualTo(TrainingSeeds.epochOrder(LINES, SEED, 0));

        enumerator.handleSplitRequest(0, "host");
        assertThat(context.noMoreSplits).isEmpty(); // reader 1 still holds a split of the last epoch
        enumerator.handleSplitRequest(1, "host");
        assertThat(context.noMoreSplits).containsExactly(0, 1);
        assertThat(context.take()).isEmpty();
    }

    @Test
    void theStartEpochLeavesOutTheConsumedLinesAndKeepsTheOrderOfTheRest() {
        List<Integer> order = TrainingSeeds.epochOrder(LINES, SEED, 1);
        int[] consumed = {order.get(0), order.get(4), order.get(9)};
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        KittiTripletEnumerator enumerator = enumerator(context, config(3, 1, consumed));

        for (int request = 0; request < 7; request++) {
            enumerator.handleSplitRequest(0, "host");
        }
        List<Assignment> assigned = context.take();
        List<Integer> expected = new ArrayList<>(order);
        expected.removeAll(List.of(order.get(0), order.get(4), order.get(9)));
        expected.addAll(TrainingSeeds.epochOrder(LINES, SEED, 2));
        assertThat(lines(assigned)).isEqualTo(expected);
        assertThat(assigned).extracting(a -> a.split().epoch()).containsExactly(1, 1, 1, 2, 2, 2, 2);
        enumerator.handleSplitRequest(0, "host");
        assertThat(context.noMoreSplits).containsExactly(0);
    }

    @Test
    void splitsGivenBackAreHandedOutAgainBeforeTheRest() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        KittiTripletEnumerator enumerator = enumerator(context, config(1, 0));
        enumerator.handleSplitRequest(0, "host");
        enumerator.handleSplitRequest(1, "host");
        KittiTripletSplit lost = context.take().get(1).split();

        context.unregister(1);
        enumerator.addSplitsBack(List.of(lost), 1);
        enumerator.handleSplitRequest(0, "host");
        assertThat(context.take()).containsExactly(new Assignment(0, lost));
        context.register(1);
        enumerator.handleSplitRequest(1, "host");
        enumerator.handleSplitRequest(0, "host");
        List<Assignment> rest = context.take();
        assertThat(rest).extracting(a -> a.split().index()).containsExactly(2, 3);
    }

    @Test
    void aRestoredEnumeratorHandsOutWhatTheOriginalWould() throws Exception {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        TripletSourceConfig config = config(2, 0);
        KittiTripletEnumerator original = enumerator(context, config);
        original.handleSplitRequest(0, "host");
        original.handleSplitRequest(1, "host");
        context.take();

        TripletEnumeratorState state = TripletEnumeratorStateSerializer.INSTANCE.deserialize(
                TripletEnumeratorStateSerializer.INSTANCE.getVersion(),
                TripletEnumeratorStateSerializer.INSTANCE.serialize(original.snapshotState(1)));
        RecordingEnumeratorContext restoredContext = new RecordingEnumeratorContext(2);
        KittiTripletEnumerator restored = new KittiTripletEnumerator(restoredContext, config, LINES, state);

        for (int request : IntStream.of(0, 1, 0, 1, 0, 1, 0, 1).toArray()) {
            original.handleSplitRequest(request, "host");
            restored.handleSplitRequest(request, "host");
        }
        assertThat(restoredContext.take()).isEqualTo(context.take()).hasSize(6);
        assertThat(restoredContext.noMoreSplits).isEqualTo(context.noMoreSplits).containsExactly(0, 1);
    }

    @Test
    void aConsumedLineTheSplitFileDoesNotHaveIsRefused() {
        assertThatThrownBy(() -> enumerator(new RecordingEnumeratorContext(1), config(2, 0, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 2 given as already trained on in epoch 0 is not a line of split file "
                        + "/splits/train_files.txt");
    }

    @Test
    void aStartEpochTrainedOnCompletelyGoesStraightToTheNextAndAFinishedTrainingServesNothing() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        int[] all = LINES.stream().mapToInt(Integer::intValue).toArray();
        KittiTripletEnumerator enumerator = enumerator(context, config(3, 1, all));
        enumerator.handleSplitRequest(0, "host");
        List<Assignment> first = context.take();
        assertThat(first).extracting(a -> a.split().epoch()).containsExactly(2);
        assertThat(first.get(0).split().lines()).containsExactly(
                TrainingSeeds.epochOrder(LINES, SEED, 2).subList(0, 3).stream().mapToInt(Integer::intValue).toArray());

        RecordingEnumeratorContext finished = new RecordingEnumeratorContext(2);
        KittiTripletEnumerator done = enumerator(finished, config(2, 2));
        done.handleSplitRequest(1, "host");
        done.handleSplitRequest(0, "host");
        assertThat(finished.take()).isEmpty();
        assertThat(finished.noMoreSplits).containsExactly(0, 1);
    }
}
