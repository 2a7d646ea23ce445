package io.depthstream.operators.training;

import io.depthstream.model.data.SplitEntry;
import io.depthstream.model.data.SplitFile;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Hands out the lines of a split file epoch by epoch: epoch {@code e} is the file's lines in the order
 * {@link TrainingSeeds#epochOrder} gives (without {@code consumedInStartEpoch} when {@code e} is the start epoch), cut
 * into splits of {@code linesPerSplit} lines. A reader gets one split per request and asks again when it is done; the
 * splits of an epoch are handed out only once every split of the epochs before it is finished, so the epochs reach
 * the learner one after the other (except where readers' output interleaves in the exchange). When every epoch is
 * served, each asking reader is told there are no more splits.
 *
 * <p>A reader that asks holds no split any more: its request is what marks its splits finished. After a restore with
 * a different number of readers the finished-marks of the restored splits cannot be attributed, and the next epoch
 * may then start while they are still being read.
 */
public final class KittiTripletEnumerator implements SplitEnumerator<KittiTripletSplit, TripletEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(KittiTripletEnumerator.class);
    private static final Comparator<KittiTripletSplit> ORDER =
            Comparator.comparingInt(KittiTripletSplit::epoch).thenComparingInt(KittiTripletSplit::index);

    private final SplitEnumeratorContext<KittiTripletSplit> context;
    private final TripletSourceConfig config;
    private final List<Integer> lines;
    private final List<KittiTripletSplit> pending;
    private final Map<Integer, List<KittiTripletSplit>> outstanding;
    private final Set<Integer> waiting = new LinkedHashSet<>();
    private int nextEpoch;

    /**
     * An enumerator over {@code lines} (the split file's line numbers in file order) continuing from {@code state}.
     *
     * @throws IllegalArgumentException when {@code consumedInStartEpoch} names a line the split file does not have
     */
    public KittiTripletEnumerator(SplitEnumeratorContext<KittiTripletSplit> context, TripletSourceConfig config,
            List<Integer> lines, TripletEnumeratorState state) {
        this.context = context;
        this.config = config;
        this.lines = List.copyOf(lines);
        Set<Integer> known = new HashSet<>(lines);
        for (int consumed : config.consumedInStartEpoch()) {
            if (!known.contains(consumed)) {
                throw new IllegalArgumentException("line " + consumed + " given as already trained on in epoch "
                        + config.startEpoch() + " is not a line of split file " + config.splitFile());
            }
        }
        this.nextEpoch = state.nextEpoch();
        this.pending = new ArrayList<>(state.pending());
        this.pending.sort(ORDER);
        this.outstanding = new TreeMap<>();
        if (state.parallelism() == context.currentParallelism()) {
            state.outstanding().forEach((reader, splits) -> outstanding.put(reader, new ArrayList<>(splits)));
        } else if (!state.outstanding().isEmpty()) {
            LOG.info("Restored with {} readers instead of {}: the next epoch does not wait for the {} restored splits",
                    context.currentParallelism(), state.parallelism(),
                    state.outstanding().values().stream().mapToInt(List::size).sum());
        }
    }

    /** The state of a source that has handed out nothing: the first epoch to cut is the start epoch. */
    public static TripletEnumeratorState initialState(TripletSourceConfig config) {
        return new TripletEnumeratorState(config.startEpoch(), List.of(), Map.of(), -1);
    }

    /**
     * The line numbers of {@code config}'s split file in file order.
     *
     * @throws IOException when the split file is missing or malformed
     */
    public static List<Integer> splitLines(TripletSourceConfig config) throws IOException {
        return SplitFile.read(Path.of(config.splitFile())).entries().stream().map(SplitEntry::line).toList();
    }

    @Override
    public void start() {
        LOG.info("Serving epochs {}..{} of {} split lines from {} ({} of epoch {} already trained on)",
                config.startEpoch(), config.epochs() - 1, lines.size(), config.splitFile(),
                config.consumedInStartEpoch().length, config.startEpoch());
    }

    @Override
    public void handleSplitRequest(int subtask, String hostname) {
        // a reader asks only once it has read every split it was given
        outstanding.remove(subtask);
        waiting.add(subtask);
        assign();
    }

    @Override
    public void addSplitsBack(List<KittiTripletSplit> splits, int subtask) {
        List<KittiTripletSplit> held = outstanding.get(subtask);
        for (KittiTripletSplit split : splits) {
            if (held != null) {
                held.removeIf(s -> s.splitId().equals(split.splitId()));
            }
            pending.add(split);
        }
        if (held != null && held.isEmpty()) {
            outstanding.remove(subtask);
        }
        waiting.remove(subtask);
        pending.sort(ORDER);
        LOG.info("Reader {} gave back {} split(s); they are handed out again", subtask, splits.size());
        assign();
    }

    @Override
    public void addReader(int subtask) {
        // readers ask for their first split themselves
    }

    @Override
    public TripletEnumeratorState snapshotState(long checkpointId) {
        return new TripletEnumeratorState(nextEpoch, pending, outstanding, context.currentParallelism());
    }

    @Override
    public void close() {
    }

    private void assign() {
        while (!waiting.isEmpty()) {
            if (pending.isEmpty() && outstanding.isEmpty()) {
                if (nextEpoch < config.epochs()) {
                    cut(nextEpoch++);
                    continue;
                }
                for (int reader : waiting) {
                    if (context.registeredReaders().containsKey(reader)) {
                        context.signalNoMoreSplits(reader);
                    }
                }
                waiting.clear();
                return;
            }
            int active = activeEpoch();
            if (pending.isEmpty() || pending.get(0).epoch() != active) {
                return; // the active epoch's last splits are still being read
            }
            int reader = waiting.iterator().next();
            waiting.remove(reader);
            if (!context.registeredReaders().containsKey(reader)) {
                continue; // failed since it asked; it asks again when it is back
            }
            KittiTripletSplit split = pending.remove(0);
            outstanding.computeIfAbsent(reader, r -> new ArrayList<>()).add(split);
            context.assignSplit(split, reader);
        }
    }

    private int activeEpoch() {
        int active = pending.isEmpty() ? Integer.MAX_VALUE : pending.get(0).epoch();
        for (List<KittiTripletSplit> splits : outstanding.values()) {
            for (KittiTripletSplit split : splits) {
                active = Math.min(active, split.epoch());
            }
        }
        return active;
    }

    private void cut(int epoch) {
        List<Integer> order = TrainingSeeds.epochOrder(lines, config.seed(), epoch);
        if (epoch == config.startEpoch()) {
            Set<Integer> consumed = new HashSet<>();
            for (int line : config.consumedInStartEpoch()) {
                consumed.add(line);
            }
            order.removeIf(consumed::contains);
        }
        int index = 0;
        for (int from = 0; from < order.size(); from += config.linesPerSplit()) {
            List<Integer> chunk = order.subList(from, Math.min(order.size(), from + config.linesPerSplit()));
            pending.add(new KittiTripletSplit(epoch, index++, chunk.stream().mapToInt(Integer::intValue).toArray(), 0));
        }
        LOG.info("Epoch {}: {} split lines in {} splits", epoch, order.size(), index);
    }
}
