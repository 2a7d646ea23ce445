package io.depthstream.operators.training;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * What {@link KittiTripletSource} reads: a split file's lines against a KITTI raw root, for epochs
 * {@code startEpoch … epochs − 1}.
 *
 * @param root the KITTI raw root: a folder of archives and/or extracted date folders, or one archive (as
 *     {@link io.depthstream.model.data.KittiRawArchive#open} accepts)
 * @param splitFile the split file ({@code date/drive frame side} lines)
 * @param epochs the total number of epochs of the training; the source serves epochs {@code startEpoch} to
 *     {@code epochs − 1}
 * @param seed the seed of the epochs' shuffles (see {@link TrainingSeeds#epochShuffle})
 * @param linesPerSplit split lines per source split: the unit a reader asks for and a failure re-reads
 * @param startEpoch the first epoch served (0-based), after a resume the epoch that was interrupted
 * @param consumedInStartEpoch split line numbers already trained on in {@code startEpoch}; they are left out of that
 *     epoch only
 */
public record TripletSourceConfig(String root, String splitFile, int epochs, long seed, int linesPerSplit,
        int startEpoch, int[] consumedInStartEpoch) implements Serializable {

    /** Lines per split when none is given: small enough that readers share an epoch evenly. */
    public static final int DEFAULT_LINES_PER_SPLIT = 16;

    public TripletSourceConfig {
        if (root == null || root.isBlank()) {
            throw new IllegalArgumentException("a KITTI raw root is needed");
        }
        if (splitFile == null || splitFile.isBlank()) {
            throw new IllegalArgumentException("a split file is needed");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (linesPerSplit < 1) {
            throw new IllegalArgumentException("lines per split must be at least 1, got " + linesPerSplit);
        }
        if (startEpoch < 0 || startEpoch > epochs) {
            throw new IllegalArgumentException("start epoch must be within 0.." + epochs + ", got " + startEpoch);
        }
        consumedInStartEpoch = consumedInStartEpoch == null ? new int[0] : consumedInStartEpoch.clone();
    }

    /** A fresh training from epoch 0 with {@link #DEFAULT_LINES_PER_SPLIT}. */
    public static TripletSourceConfig of(String root, String splitFile, int epochs, long seed) {
        return new TripletSourceConfig(root, splitFile, epochs, seed, DEFAULT_LINES_PER_SPLIT, 0, new int[0]);
    }

    /** This configuration resuming at {@code epoch} with {@code consumed} lines of it already trained on. */
    public TripletSourceConfig resumedAt(int epoch, int[] consumed) {
        return new TripletSourceConfig(root, splitFile, epochs, seed, linesPerSplit, epoch, consumed);
    }

    /** This configuration with {@code lines} lines per split. */
    public TripletSourceConfig withLinesPerSplit(int lines) {
        return new TripletSourceConfig(root, splitFile, epochs, seed, lines, startEpoch, consumedInStartEpoch);
    }

    @Override
    public int[] consumedInStartEpoch() {
        return consumedInStartEpoch.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TripletSourceConfig o && root.equals(o.root) && splitFile.equals(o.splitFile)
                && epochs == o.epochs && seed == o.seed && linesPerSplit == o.linesPerSplit
                && startEpoch == o.startEpoch && Arrays.equals(consumedInStartEpoch, o.consumedInStartEpoch);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(root, splitFile, epochs, seed, linesPerSplit, startEpoch)
                + Arrays.hashCode(consumedInStartEpoch);
    }

    @Override
    public String toString() {
        return "TripletSourceConfig[root=" + root + ", splitFile=" + splitFile + ", epochs=" + epochs + ", seed=" + seed
                + ", linesPerSplit=" + linesPerSplit + ", startEpoch=" + startEpoch + ", consumedInStartEpoch="
                + consumedInStartEpoch.length + " lines]";
    }
}
