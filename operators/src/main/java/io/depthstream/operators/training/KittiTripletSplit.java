package io.depthstream.operators.training;

import org.apache.flink.api.connector.source.SourceSplit;

import java.util.Arrays;

/**
 * A run of split-file lines of one epoch that one reader reads in order, with how many it has already emitted (the
 * position a restored reader goes on from).
 *
 * @param epoch the epoch (0-based)
 * @param index the split's position within its epoch, from 0
 * @param lines the split-file line numbers, in reading order
 * @param emitted how many of {@code lines} have been emitted
 */
public record KittiTripletSplit(int epoch, int index, int[] lines, int emitted) implements SourceSplit {

    public KittiTripletSplit {
        if (epoch < 0 || index < 0) {
            throw new IllegalArgumentException("epoch and index must not be negative: " + epoch + ", " + index);
        }
        if (lines == null || lines.length == 0) {
            throw new IllegalArgumentException("a split needs at least one line");
        }
        if (emitted < 0 || emitted > lines.length) {
            throw new IllegalArgumentException("emitted must be within 0.." + lines.length + ", got " + emitted);
        }
        lines = lines.clone();
    }

    @Override
    public String splitId() {
        return "epoch-" + epoch + "-split-" + index;
    }

    @Override
    public int[] lines() {
        return lines.clone();
    }

    /** The line read at position {@code position}. */
    public int line(int position) {
        return lines[position];
    }

    /** Number of lines in the split. */
    public int size() {
        return lines.length;
    }

    /** This split after {@code count} lines were emitted. */
    public KittiTripletSplit withEmitted(int count) {
        return new KittiTripletSplit(epoch, index, lines, count);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KittiTripletSplit o && epoch == o.epoch && index == o.index && emitted == o.emitted
                && Arrays.equals(lines, o.lines);
    }

    @Override
    public int hashCode() {
        return ((31 * epoch + index) * 31 + emitted) * 31 + Arrays.hashCode(lines);
    }

    @Override
    public String toString() {
        return splitId() + Arrays.toString(lines) + " emitted " + emitted;
    }
}
