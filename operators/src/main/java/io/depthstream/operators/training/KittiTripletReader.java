package io.depthstream.operators.training;

import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.data.SplitEntry;
import io.depthstream.model.data.SplitFile;
import io.depthstream.model.geometry.Intrinsics;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the triplets of its splits, one split line per {@link #pollNext} call: the encoded frames f−1, f, f+1 of the
 * line's camera, the intrinsics of that camera from the drive date's calibration ({@code P_rect_02}/{@code P_rect_03},
 * in pixels of the stored image, as the KITTI replay sends them) and the centre frame's semantic map where the drive
 * has one. A line that cannot be read (frame 0, a missing frame or neighbour, a missing calibration, an unreadable
 * entry) becomes a skipped {@link EncodedTriplet} with the reason; the reader never fails on data.
 *
 * <p>The archive is opened once and stays open across splits and epochs. The reader asks for a split whenever it
 * holds none, and checkpoints each held split with the number of its lines already emitted.
 *
 * <p>Metrics on the reader's group: counters {@value #TRIPLETS_READ_METRIC} (usable triplets emitted),
 * {@value #LINES_SKIPPED_METRIC} (skipped lines emitted) and {@value #FRAMES_READ_METRIC} (split lines this reader
 * has processed, usable or skipped); gauges {@value #FRAMES_TOTAL_METRIC} (split lines the whole source emits over
 * all its epochs: the sum of {@value #FRAMES_READ_METRIC} over the readers divided by it is the job's progress) and
 * {@value #EPOCH_METRIC} (the epoch of the split being read, −1 before the first).
 */
public final class KittiTripletReader implements SourceReader<EncodedTriplet, KittiTripletSplit> {

    /** Counter of usable triplets emitted. */
    public static final String TRIPLETS_READ_METRIC = "tripletsRead";
    /** Counter of skipped lines emitted. */
    public static final String LINES_SKIPPED_METRIC = "linesSkipped";
    /** Counter of split lines processed by this reader (one centre frame each). */
    public static final String FRAMES_READ_METRIC = "framesRead";
    /** Gauge of the split lines all readers together emit over all epochs. */
    public static final String FRAMES_TOTAL_METRIC = "framesTotal";
    /** Gauge of the epoch being read. */
    public static final String EPOCH_METRIC = "epoch";

    private static final Logger LOG = LoggerFactory.getLogger(KittiTripletReader.class);

    private final SourceReaderContext context;
    private final TripletSourceConfig config;
    private final Deque<KittiTripletSplit> splits = new ArrayDeque<>();
    private final Map<Integer, SplitEntry> entries = new HashMap<>();
    private KittiRawArchive archive;
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private boolean noMoreSplits;
    private boolean requested;
    private int epoch = -1;
    private long framesTotal;
    private Counter tripletsRead;
    private Counter linesSkipped;
    private Counter framesRead;

    /** A reader of {@code config}'s data; nothing is opened before {@link #start}. */
    public KittiTripletReader(SourceReaderContext context, TripletSourceConfig config) {
        this.context = context;
        this.config = config;
    }

    @Override
    public void start() {
        SplitFile split;
        try {
            split = SplitFile.read(Path.of(config.splitFile()));
            archive = KittiRawArchive.open(Path.of(config.root()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the training data: " + e.getMessage(), e);
        }
        for (SplitEntry entry : split.entries()) {
            entries.put(entry.line(), entry);
        }
        Set<Integer> consumed = new HashSet<>();
        for (int line : config.consumedInStartEpoch()) {
            if (entries.containsKey(line)) {
                consumed.add(line);
            }
        }
        framesTotal = (long) entries.size() * (config.epochs() - config.startEpoch())
                - (config.startEpoch() < config.epochs() ? consumed.size() : 0);
        MetricGroup metrics = context.metricGroup();
        tripletsRead = metrics.counter(TRIPLETS_READ_METRIC);
        linesSkipped = metrics.counter(LINES_SKIPPED_METRIC);
        framesRead = metrics.counter(FRAMES_READ_METRIC);
        metrics.gauge(FRAMES_TOTAL_METRIC, () -> framesTotal);
        metrics.gauge(EPOCH_METRIC, () -> epoch);
        requestIfIdle();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<EncodedTriplet> output) {
        KittiTripletSplit split = splits.peekFirst();
        if (split == null) {
            if (noMoreSplits) {
                return InputStatus.END_OF_INPUT;
            }
            requestIfIdle();
            return InputStatus.NOTHING_AVAILABLE;
        }
        epoch = split.epoch();
        if (split.emitted() < split.size()) {
            EncodedTriplet triplet = read(split.epoch(), split.line(split.emitted()));
            output.collect(triplet);
            framesRead.inc();
            (triplet.isSkipped() ? linesSkipped : tripletsRead).inc();
            split = split.withEmitted(split.emitted() + 1);
            splits.pollFirst();
            splits.addFirst(split);
        }
        if (split.emitted() == split.size()) {
            splits.pollFirst();
        }
        if (!splits.isEmpty()) {
            return InputStatus.MORE_AVAILABLE;
        }
        if (noMoreSplits) {
            return InputStatus.END_OF_INPUT;
        }
        requestIfIdle();
        return InputStatus.NOTHING_AVAILABLE;
    }

    /** The triplet of split line {@code line} in {@code epoch}, or a skip saying why there is none. */
    EncodedTriplet read(int epoch, int line) {
        SplitEntry entry = entries.get(line);
        if (entry == null) {
            return EncodedTriplet.skipped(epoch, line, "split line " + line,
                    "split file " + config.splitFile() + " has no line " + line);
        }
        KittiDrive drive = entry.drive();
        KittiCamera camera = entry.camera();
        int frame = entry.frame();
        String description = drive.name() + " " + frame + " " + camera.side() + " (split line " + line + ")";
        if (frame == 0) {
            return EncodedTriplet.skipped(epoch, line, description, "frame 0 has no previous frame");
        }
        try {
            byte[] current = archive.imageBytes(drive, frame, camera);
            byte[] previous = archive.imageBytes(drive, frame - 1, camera);
            byte[] next = archive.imageBytes(drive, frame + 1, camera);
            Intrinsics intrinsics = archive.calibration(drive.date()).intrinsics(camera);
            SemanticMap semantic = archive.semantic(drive, frame, camera).orElse(null);
            return new EncodedTriplet(epoch, line, description, previous, current, next, intrinsics, semantic, null);
        } catch (IOException | RuntimeException e) {
            // a KITTI error names the entry; anything else (an unreadable zip entry) is shown with its type
            String reason = e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString();
            LOG.warn("Skipping {}: {}", description, reason);
            return EncodedTriplet.skipped(epoch, line, description, reason);
        }
    }

    @Override
    public List<KittiTripletSplit> snapshotState(long checkpointId) {
        return new ArrayList<>(splits);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        if (!splits.isEmpty() || noMoreSplits) {
            return CompletableFuture.completedFuture(null);
        }
        if (available.isDone()) {
            available = new CompletableFuture<>();
        }
        return available;
    }

    @Override
    public void addSplits(List<KittiTripletSplit> added) {
        for (KittiTripletSplit split : added) {
            if (split.emitted() < split.size()) {
                splits.addLast(split);
            }
        }
        requested = false;
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public void close() throws IOException {
        if (archive != null) {
            archive.close();
        }
    }

    private void requestIfIdle() {
        if (splits.isEmpty() && !noMoreSplits && !requested) {
            requested = true;
            context.sendSplitRequest();
        }
    }
}
