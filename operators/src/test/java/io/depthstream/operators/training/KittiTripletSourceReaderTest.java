package io.depthstream.operators.training;

import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link KittiTripletReader} driven directly: split requests, checkpointed positions, the end of input, metrics. */
class KittiTripletSourceReaderTest {

    @TempDir
    static Path data;
    private static TripletSourceConfig config;

    @BeforeAll
    static void writeDrive() throws Exception {
        Path split = TrainingDrives.writeArchives(data);
        // two epochs from epoch 0 with three lines of it already trained on: 12 + 9 lines in all
        config = new TripletSourceConfig(data.toString(), split.toString(), 2, 1, 4, 0, new int[] {2, 3, 4});
    }

    @Test
    void aRestoredReaderGoesOnAfterTheLinesItHadEmitted() throws Exception {
        RecordingReaderContext context = new RecordingReaderContext();
        RecordingReaderContext.Output<EncodedTriplet> output = new RecordingReaderContext.Output<>();
        List<KittiTripletSplit> snapshot;
        try (KittiTripletReader reader = new KittiTripletReader(context, config)) {
            reader.start();
            assertThat(context.splitRequests).isEqualTo(1);
            assertThat(reader.pollNext(output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
            CompletableFuture<Void> available = reader.isAvailable();
            assertThat(available).isNotDone();
            assertThat(context.splitRequests).as("one request until it is answered").isEqualTo(1);

            reader.addSplits(List.of(new KittiTripletSplit(1, 0, new int[] {12, 5, 1, 7}, 0)));
            assertThat(available).isDone();
            assertThat(reader.pollNext(output)).isEqualTo(InputStatus.MORE_AVAILABLE);
            assertThat(reader.pollNext(output)).isEqualTo(InputStatus.MORE_AVAILABLE);
            snapshot = reader.snapshotState(1);
            assertThat(snapshot).containsExactly(new KittiTripletSplit(1, 0, new int[] {12, 5, 1, 7}, 2));
        }
        assertThat(output.records).extracting(EncodedTriplet::line).containsExactly(12, 5);

        RecordingReaderContext restoredContext = new RecordingReaderContext();
        RecordingReaderContext.Output<EncodedTriplet> restoredOutput = new RecordingReaderContext.Output<>();
        try (KittiTripletReader restored = new KittiTripletReader(restoredContext, config)) {
            restored.addSplits(snapshot);
            restored.start();
            assertThat(restoredContext.splitRequests).as("it holds a split: no request").isZero();
            assertThat(restored.pollNext(restoredOutput)).isEqualTo(InputStatus.MORE_AVAILABLE);
            // the split's last line: the reader asks for the next split at once
            assertThat(restored.pollNext(restoredOutput)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
            assertThat(restoredContext.splitRequests).isEqualTo(1);
            assertThat(restored.snapshotState(2)).isEmpty();
            restored.notifyNoMoreSplits();
            assertThat(restored.isAvailable()).isDone();
            assertThat(restored.pollNext(restoredOutput)).isEqualTo(InputStatus.END_OF_INPUT);

            assertThat(restoredOutput.records).extracting(EncodedTriplet::line).containsExactly(1, 7);
            assertThat(restoredOutput.records).extracting(EncodedTriplet::epoch).containsOnly(1);
            assertThat(restoredOutput.records.get(0).skipReason()).isEqualTo("frame 0 has no previous frame");
            assertThat(restoredOutput.records.get(1).isSkipped()).isFalse();
            assertThat(restoredContext.metric(KittiTripletReader.TRIPLETS_READ_METRIC)).isEqualTo(1L);
            assertThat(restoredContext.metric(KittiTripletReader.LINES_SKIPPED_METRIC)).isEqualTo(1L);
            assertThat(restoredContext.metric(KittiTripletReader.FRAMES_READ_METRIC)).isEqualTo(2L);
            assertThat(restoredContext.metric(KittiTripletReader.FRAMES_TOTAL_METRIC)).isEqualTo(12L * 2 - 3);
            assertThat(restoredContext.metric(KittiTripletReader.EPOCH_METRIC)).isEqualTo(1);
        }
        assertThat(context.metric(KittiTripletReader.FRAMES_READ_METRIC)).isEqualTo(2L);
        assertThat(context.metric(KittiTripletReader.LINES_SKIPPED_METRIC)).as("frame 11 has no next").isEqualTo(1L);
    }

    @Test
    void aLineTheSplitFileDoesNotHaveIsSkippedNotFailed() throws Exception {
        RecordingReaderContext context = new RecordingReaderContext();
        try (KittiTripletReader reader = new KittiTripletReader(context, config)) {
            reader.start();
            EncodedTriplet triplet = reader.read(0, 99);
            assertThat(triplet.skipReason()).isEqualTo("split file " + config.splitFile() + " has no line 99");
        }
    }
}
