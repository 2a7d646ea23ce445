package io.depthstream.operators.training;

import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/** An enumerator context that keeps what the enumerator does: assignments in order and the readers told "no more". */
final class RecordingEnumeratorContext implements SplitEnumeratorContext<KittiTripletSplit> {

    /** One split handed to one reader. */
    record Assignment(int reader, KittiTripletSplit split) {
    }

    private final int parallelism;
    private final Map<Integer, ReaderInfo> readers = new TreeMap<>();
    final List<Assignment> assignments = new ArrayList<>();
    final TreeSet<Integer> noMoreSplits = new TreeSet<>();

    RecordingEnumeratorContext(int parallelism) {
        this.parallelism = parallelism;
        for (int reader = 0; reader < parallelism; reader++) {
            register(reader);
        }
    }

    void register(int reader) {
        readers.put(reader, new ReaderInfo(reader, "localhost"));
    }

    void unregister(int reader) {
        readers.remove(reader);
    }

    /** The splits assigned since the call before, and forgets them. */
    List<Assignment> take() {
        List<Assignment> taken = new ArrayList<>(assignments);
        assignments.clear();
        return taken;
    }

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
        return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
    }

    @Override
    public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
        throw new UnsupportedOperationException("the triplet enumerator sends no events");
    }

    @Override
    public int currentParallelism() {
        return parallelism;
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
        return Map.copyOf(readers);
    }

    @Override
    public void assignSplits(SplitsAssignment<KittiTripletSplit> assignment) {
        assignment.assignment().forEach((reader, splits) -> {
            if (!readers.containsKey(reader)) {
                throw new IllegalStateException("split assigned to unregistered reader " + reader);
            }
            splits.forEach(split -> assignments.add(new Assignment(reader, split)));
        });
    }

    @Override
    public void signalNoMoreSplits(int subtask) {
        if (!readers.containsKey(subtask)) {
            throw new IllegalStateException("no-more-splits sent to unregistered reader " + subtask);
        }
        noMoreSplits.add(subtask);
    }

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
        throw new UnsupportedOperationException("the triplet enumerator calls nothing asynchronously");
    }

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {
        throw new UnsupportedOperationException("the triplet enumerator calls nothing asynchronously");
    }

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
        runnable.run();
    }
}
