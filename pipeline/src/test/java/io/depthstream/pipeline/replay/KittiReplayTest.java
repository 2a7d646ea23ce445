package io.depthstream.pipeline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDataException;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.job.TopicProvisioner;
import io.depthstream.pipeline.job.TopicSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class KittiReplayTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String FIXTURE_DRIVE = "2011_09_26_drive_0000_sync";
    /** 2011-09-26T00:00:00Z: where a drive without timestamps.txt starts. */
    private static final long FIXTURE_DAY_MS = 1_316_995_200_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void replaysTheRealKittiArchivesWithCalibrationIntrinsicsAndThePngsAsStored(@TempDir Path archives) throws Exception {
        Path fixture = kittiFixture();
        makeArchives(fixture, archives);
        String topic = "frames-real-archives";
        createTopic(topic, 2);

        ReplaySummary summary;
        try (KittiRawArchive archive = KittiRawArchive.open(archives)) {
            assertThat(archive.drives()).containsExactly(KittiDrive.ofName(FIXTURE_DRIVE));
            KittiReplay replay = KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                    new ReplayOptions(topic, Double.POSITIVE_INFINITY, false));
            assertThat(replay.framesPerPass()).isEqualTo(12);
            summary = replay.run(kafka.bootstrapServers(), TIMEOUT, () -> false, ReplayListener.NONE);
        }

        Path images = fixture.resolve("kitti_raw/2011_09_26").resolve(FIXTURE_DRIVE).resolve("image_02/data");
        long pngBytes = 0;
        for (int i = 0; i < 12; i++) {
            pngBytes += Files.size(images.resolve(String.format("%010d.png", i)));
        }
        assertThat(summary.frames()).isEqualTo(12);
        assertThat(summary.bytes()).isEqualTo(pngBytes);
        assertThat(summary.passes()).isEqualTo(1);
        assertThat(summary.stopped()).isFalse();

        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(kafka.bootstrapServers(), topic, 12);
        assertThat(records).hasSize(12);
        for (int i = 0; i < 12; i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            assertThat(TopicRecords.key(record)).isEqualTo(FIXTURE_DRIVE);
            assertThat(TopicRecords.header(record, WireFormat.SEQ)).isEqualTo(Integer.toString(i));
            assertThat(record.value()).isEqualTo(Files.readAllBytes(images.resolve(String.format("%010d.png", i))));
            // no timestamps.txt in the fixture: 10 Hz from midnight UTC of the drive's date
            assertThat(record.timestamp()).isEqualTo(FIXTURE_DAY_MS + 100L * i);
            assertThat(TopicRecords.header(record, WireFormat.SEMANTIC)).isNull();
            // P_rect_02 of the real 2011_09_26 calibration
            JsonNode k = JSON.readTree(TopicRecords.header(record, WireFormat.INTRINSICS));
            assertThat(k.get("fx").asDouble()).isEqualTo(721.5377);
            assertThat(k.get("fy").asDouble()).isEqualTo(721.5377);
            assertThat(k.get("cx").asDouble()).isEqualTo(609.5593);
            assertThat(k.get("cy").asDouble()).isEqualTo(172.854);
            assertThat(k.size()).isEqualTo(4);
        }
        // one camera, one partition: the broker kept the frames in order
        assertThat(records.stream().map(ConsumerRecord::partition).distinct()).hasSize(1);
        assertThat(records.stream().map(ConsumerRecord::offset).toList()).isSorted();
    }

    @Test
    void timestampsComeFromTheCamerasTimestampsFileReadAsUtc(@TempDir Path root) throws Exception {
        Path fixture = kittiFixture();
        Path drive = copyFixtureFolders(fixture, root);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // KITTI's format, nanosecond digits included
            lines.add(String.format("2011-09-26 13:02:%02d.%09d", 25 + i / 10, (i % 10) * 103_456_789 + 964));
        }
        Files.write(drive.resolve("image_02/timestamps.txt"), lines);
        String topic = "frames-timestamps";
        createTopic(topic, 1);

        try (KittiRawArchive archive = KittiRawArchive.open(root)) {
            KittiReplay.prepare(archive, List.of(new ReplayDrive(KittiDrive.ofName(FIXTURE_DRIVE),
                            KittiCamera.IMAGE_02, "front")), new ReplayOptions(topic, Double.POSITIVE_INFINITY, false))
                    .run(kafka.bootstrapServers(), TIMEOUT, () -> false, ReplayListener.NONE);
        }

        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(kafka.bootstrapServers(), topic, 12);
        assertThat(records).hasSize(12);
        long base = Instant.parse("2011-09-26T13:02:25Z").toEpochMilli();
        for (int i = 0; i < 12; i++) {
            long expected = base + 1000L * (i / 10) + ((i % 10) * 103_456_789L + 964) / 1_000_000L;
            assertThat(records.get(i).timestamp()).as("frame %d", i).isEqualTo(expected);
            assertThat(TopicRecords.key(records.get(i))).isEqualTo("front");
        }
        assertThat(records.get(1).timestamp()).isEqualTo(base + 103);
    }

    @Test
    void theLiveClockPutsDrivesRecordedApartOnOneClockKeepingTheirSpacing(@TempDir Path out) throws Exception {
        // synthetic drives are recorded ten minutes apart
        new SyntheticDriveWriter(5, 2, new DriveOptions(3, 96, 32, false, false)).write(out, (done, total) -> { });
        String topic = "frames-live-clock";
        createTopic(topic, 1);

        long before = System.currentTimeMillis();
        try (KittiRawArchive archive = KittiRawArchive.open(out)) {
            KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                    new ReplayOptions(topic, Double.POSITIVE_INFINITY, false, true))
                    .run(kafka.bootstrapServers(), TIMEOUT, () -> false, ReplayListener.NONE);
        }
        long after = System.currentTimeMillis();

        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(kafka.bootstrapServers(), topic, 6);
        assertThat(records).hasSize(6);
        for (String camera : List.of(SyntheticDriveWriter.driveName(1), SyntheticDriveWriter.driveName(2))) {
            List<Long> times = records.stream().filter(r -> TopicRecords.key(r).equals(camera))
                    .map(ConsumerRecord::timestamp).toList();
            assertThat(times).as(camera).hasSize(3);
            assertThat(times.get(0)).as(camera).isBetween(before, after);
            assertThat(times.get(1) - times.get(0)).isEqualTo(100);
            assertThat(times.get(2) - times.get(1)).isEqualTo(100);
        }
    }

    @Test
    void twoSyntheticDrivesStreamAsTwoCamerasSideBySide(@TempDir Path out) throws Exception {
        int width = 96;
        int height = 32;
        new SyntheticDriveWriter(5, 2, new DriveOptions(4, width, height, false, false)).write(out, (done, total) -> { });
        String topic = "frames-synthetic";
        createTopic(topic, 3);

        List<String> order = new ArrayList<>();
        try (KittiRawArchive archive = KittiRawArchive.open(out)) {
            KittiReplay replay = KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                    new ReplayOptions(topic, Double.POSITIVE_INFINITY, false));
            ReplaySummary summary = replay.run(kafka.bootstrapServers(), TIMEOUT, () -> false, new ReplayListener() {
                @Override
                public void frameSent(ReplayDrive drive, long seq, long bytes) {
                    order.add(drive.cameraId() + "#" + seq);
                }
            });
            assertThat(summary.frames()).isEqualTo(8);

            List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(kafka.bootstrapServers(), topic, 8);
            assertThat(records).hasSize(8);
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byCamera = records.stream()
                    .collect(Collectors.groupingBy(TopicRecords::key));
            assertThat(byCamera).containsOnlyKeys(SyntheticDriveWriter.driveName(1), SyntheticDriveWriter.driveName(2));
            for (int number = 1; number <= 2; number++) {
                KittiDrive drive = KittiDrive.ofName(SyntheticDriveWriter.driveName(number));
                List<ConsumerRecord<byte[], byte[]>> camera = byCamera.get(drive.name());
                assertThat(camera.stream().map(ConsumerRecord::partition).distinct()).hasSize(1);
                assertThat(camera.stream().map(ConsumerRecord::offset).toList()).isSorted();
                for (int f = 0; f < 4; f++) {
                    ConsumerRecord<byte[], byte[]> record = camera.get(f);
                    assertThat(TopicRecords.seq(record)).isEqualTo(f);
                    assertThat(record.value()).isEqualTo(archive.imageBytes(drive, f, KittiCamera.IMAGE_02));
                    assertThat(record.timestamp()).isEqualTo(Instant.parse(
                            SyntheticDriveWriter.timestamp(number, f).replace(' ', 'T') + "Z").toEpochMilli());
                    // the published P_rect_02 scaled to the rendered size (written with 7 significant digits)
                    JsonNode k = JSON.readTree(TopicRecords.header(record, WireFormat.INTRINSICS));
                    assertThat(k.get("fx").asDouble()).isCloseTo(721.5377 * width / 1242, within(1e-4));
                    assertThat(k.get("fy").asDouble()).isCloseTo(721.5377 * height / 375, within(1e-4));
                    assertThat(k.get("cx").asDouble()).isCloseTo(609.5593 * width / 1242, within(1e-4));
                    assertThat(k.get("cy").asDouble()).isCloseTo(172.854 * height / 375, within(1e-4));
                }
            }
        }
        // the cameras advance together, frame by frame
        String one = SyntheticDriveWriter.driveName(1);
        String two = SyntheticDriveWriter.driveName(2);
        assertThat(order).containsExactly(one + "#0", two + "#0", one + "#1", two + "#1", one + "#2", two + "#2",
                one + "#3", two + "#3");
    }

    @Test
    void loopingContinuesSequenceNumbersAndTimestampsUntilStopped(@TempDir Path out) throws Exception {
        new SyntheticDriveWriter(9, 1, new DriveOptions(5, 32, 16, false, false)).write(out, (done, total) -> { });
        String topic = "frames-loop";
        createTopic(topic, 1);
        AtomicInteger sent = new AtomicInteger();
        ReplaySummary summary;
        try (KittiRawArchive archive = KittiRawArchive.open(out)) {
            KittiReplay replay = KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                    new ReplayOptions(topic, Double.POSITIVE_INFINITY, true));
            summary = replay.run(kafka.bootstrapServers(), TIMEOUT, () -> sent.get() >= 12, new ReplayListener() {
                @Override
                public void frameSent(ReplayDrive drive, long seq, long bytes) {
                    sent.incrementAndGet();
                }
            });
        }
        assertThat(summary.frames()).isEqualTo(12);
        assertThat(summary.passes()).isEqualTo(3);
        assertThat(summary.stopped()).isTrue();

        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(kafka.bootstrapServers(), topic, 12);
        assertThat(records).hasSize(12);
        long first = Instant.parse(SyntheticDriveWriter.timestamp(1, 0).replace(' ', 'T') + "Z").toEpochMilli();
        for (int i = 0; i < 12; i++) {
            assertThat(TopicRecords.seq(records.get(i))).isEqualTo(i);
            assertThat(records.get(i).timestamp()).isEqualTo(first + 100L * i);
        }
        // pass 2 sends frame 0 again: same image, next sequence number
        assertThat(records.get(5).value()).isEqualTo(records.get(0).value());
    }

    @Test
    void aRateSpacesTheFrames(@TempDir Path out) throws Exception {
        new SyntheticDriveWriter(3, 1, new DriveOptions(5, 32, 16, false, false)).write(out, (done, total) -> { });
        String topic = "frames-paced";
        createTopic(topic, 1);
        AtomicInteger sent = new AtomicInteger();
        ReplaySummary summary;
        try (KittiRawArchive archive = KittiRawArchive.open(out)) {
            summary = KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                    new ReplayOptions(topic, 20, false)).run(kafka.bootstrapServers(), TIMEOUT, () -> false,
                    new ReplayListener() {
                        @Override
                        public void frameSent(ReplayDrive drive, long seq, long bytes) {
                            sent.incrementAndGet();
                        }
                    });
        }
        assertThat(sent.get()).isEqualTo(5);
        assertThat(summary.frames()).isEqualTo(5);
        // frame k is not sent before k/20 s: the last of five needs at least 0.2 s, however fast the machine
        assertThat(summary.seconds()).isGreaterThanOrEqualTo(0.2);
    }

    @Test
    void missingDataFailsBeforeAnythingIsSent(@TempDir Path out) throws Exception {
        new SyntheticDriveWriter(3, 1, new DriveOptions(3, 32, 16, false, false)).write(out, (done, total) -> { });
        try (KittiRawArchive archive = KittiRawArchive.open(out)) {
            KittiDrive drive = KittiDrive.ofName(SyntheticDriveWriter.driveName(1));
            assertThatThrownBy(() -> KittiReplay.prepare(archive, List.of(ReplayDrive.of(drive, KittiCamera.IMAGE_03)),
                    ReplayOptions.once()))
                    .isInstanceOf(KittiDataException.class)
                    .hasMessageContaining("has no image_03 frames");
            KittiDrive absent = KittiDrive.ofName("2011_09_26_drive_0042_sync");
            assertThatThrownBy(() -> KittiReplay.prepare(archive, List.of(ReplayDrive.of(absent, KittiCamera.IMAGE_02)),
                    ReplayOptions.once()))
                    .isInstanceOf(KittiDataException.class)
                    .hasMessageContaining("2011_09_26_drive_0042_sync is not under");
            assertThatThrownBy(() -> KittiReplay.prepare(archive, List.of(
                    new ReplayDrive(drive, KittiCamera.IMAGE_02, "cam"),
                    new ReplayDrive(KittiDrive.ofName(SyntheticDriveWriter.driveName(1)), KittiCamera.IMAGE_02, "cam")),
                    ReplayOptions.once()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("both stream as camera cam");
        }
        Files.delete(out.resolve("2011_09_26_calib.zip"));
        try (KittiRawArchive archive = KittiRawArchive.open(out)) {
            assertThatThrownBy(() -> KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                    ReplayOptions.once()))
                    .isInstanceOf(KittiDataException.class)
                    .hasMessageContaining("no calibration for 2011_09_26");
        }
    }

    /** The real KITTI frames beside the project; the test is skipped, saying why, when they are absent. */
    static Path kittiFixture() {
        String property = System.getProperty("depthstream.fixtures");
        assumeTrue(property != null, "system property depthstream.fixtures is not set: no real KITTI frames to replay");
        Path fixtures = Paths.get(property);
        assumeTrue(Files.isDirectory(fixtures.resolve("kitti_raw")),
                "no KITTI fixture at " + fixtures.resolve("kitti_raw") + ": skipping the real-data replay");
        return fixtures;
    }

    /** Packs the fixture into KITTI's archive layout with the fixture's own script. */
    static void makeArchives(Path fixtures, Path outDir) throws IOException, InterruptedException {
        Path script = fixtures.resolve("make-kitti-archives.sh");
        assumeTrue(Files.isRegularFile(script), "no " + script + ": cannot pack the KITTI fixture into archives");
        Process process = new ProcessBuilder("bash", script.toString(), outDir.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assumeTrue(process.exitValue() != 2 || !output.contains("needs zip"), "the archive script needs zip: " + output);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(outDir.resolve("2011_09_26_calib.zip")).isRegularFile();
        assertThat(outDir.resolve(FIXTURE_DRIVE + ".zip")).isRegularFile();
    }

    /** Copies the fixture's extracted folders (calibration, image_02) under {@code root}; returns the drive folder. */
    private static Path copyFixtureFolders(Path fixtures, Path root) throws IOException {
        Path date = fixtures.resolve("kitti_raw/2011_09_26");
        Path targetDate = Files.createDirectories(root.resolve("2011_09_26"));
        try (Stream<Path> files = Files.list(date)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, targetDate.resolve(file.getFileName()));
            }
        }
        Path images = date.resolve(FIXTURE_DRIVE).resolve("image_02/data");
        Path target = Files.createDirectories(targetDate.resolve(FIXTURE_DRIVE).resolve("image_02/data"));
        try (Stream<Path> files = Files.list(images)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return targetDate.resolve(FIXTURE_DRIVE);
    }

    private static void createTopic(String topic, int partitions) {
        assertThat(TopicProvisioner.ensure(kafka.bootstrapServers(), List.of(TopicSpec.of(topic, partitions)), TIMEOUT))
                .allMatch(s -> s.created() && s.ok());
    }
}
