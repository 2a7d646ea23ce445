package io.depthstream.model.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KittiRawArchiveTest {

    private static final Path FRAME_3 =
            Path.of("2011_09_26/2011_09_26_drive_0000_sync/image_02/data/0000000003.png");
    private static final Path SCAN_11 =
            Path.of("2011_09_26/2011_09_26_drive_0000_sync/velodyne_points/data/0000000011.bin");

    @Test
    void listsDrivesFramesAndCamerasOfExtractedFolders() throws Exception {
        try (KittiRawArchive archive = KittiRawArchive.open(KittiFixtures.kittiRoot())) {
            assertThat(archive.drives()).containsExactly(KittiFixtures.DRIVE);
            assertThat(archive.calibrationDates()).containsExactly("2011_09_26");
            assertThat(archive.cameras(KittiFixtures.DRIVE)).containsExactly(KittiCamera.IMAGE_02);
            assertThat(archive.frames(KittiFixtures.DRIVE, KittiCamera.IMAGE_02))
                    .containsExactlyElementsOf(IntStream.range(0, 12).boxed().toList());
            assertThat(archive.frames(KittiFixtures.DRIVE, KittiCamera.IMAGE_03)).isEmpty();
            assertThat(archive.velodyneFrames(KittiFixtures.DRIVE)).hasSize(12);
            assertThat(archive.timestamps(KittiFixtures.DRIVE, KittiCamera.IMAGE_02)).isEmpty();

            RgbImage image = archive.image(KittiFixtures.DRIVE, 3, KittiCamera.IMAGE_02);
            assertThat(image.width()).isEqualTo(1242);
            assertThat(image.height()).isEqualTo(375);
            assertThat(archive.calibration("2011_09_26").pRect(KittiCamera.IMAGE_02)[0]).isEqualTo(721.5377);
        }
    }

    @Test
    void readsSingleEntriesOfTheZipArchivesInPlace(@TempDir Path dir) throws Exception {
        KittiFixtures.makeArchives(dir);
        Path folders = KittiFixtures.kittiRoot();
        try (KittiRawArchive archive = KittiRawArchive.open(dir)) {
            assertThat(archive.drives()).containsExactly(KittiFixtures.DRIVE);
            assertThat(archive.calibrationDates()).containsExactly("2011_09_26");
            assertThat(archive.frames(KittiFixtures.DRIVE, KittiCamera.IMAGE_02)).hasSize(12);
            assertThat(archive.cameras(KittiFixtures.DRIVE)).containsExactly(KittiCamera.IMAGE_02);

            byte[] frame = archive.imageBytes(KittiFixtures.DRIVE, 3, KittiCamera.IMAGE_02);
            byte[] scan = SyntheticKitti.bin(archive.velodyne(KittiFixtures.DRIVE, 11).xyzr());

            assertThat(frame).isEqualTo(Files.readAllBytes(folders.resolve(FRAME_3)));
            assertThat(scan).isEqualTo(Files.readAllBytes(folders.resolve(SCAN_11)));
            assertThat(archive.calibrationFile("2011_09_26", KittiCalibration.VELO_TO_CAM))
                    .isEqualTo(Files.readAllBytes(folders.resolve("2011_09_26/calib_velo_to_cam.txt")));
            // One frame is a small part of the archive: what was returned is that entry, not the archive stream.
            long archiveSize = Files.size(dir.resolve("2011_09_26_drive_0000_sync.zip"));
            try (ZipFile zip = new ZipFile(dir.resolve("2011_09_26_drive_0000_sync.zip").toFile())) {
                assertThat((long) frame.length).isEqualTo(zip.getEntry(FRAME_3.toString()).getSize());
            }
            assertThat((long) frame.length).isLessThan(archiveSize / 10);
        }
    }

    @Test
    void readsAFrameWhenOtherEntriesOfTheArchiveAreCorrupt(@TempDir Path dir) throws Exception {
        KittiFixtures.makeArchives(dir);
        Path zipPath = dir.resolve("2011_09_26_drive_0000_sync.zip");
        long offset;
        long length;
        try (ZipFile zip = new ZipFile(zipPath.toFile())) {
            // Locate frame 11's compressed bytes: local header (30 bytes + name) precedes them.
            var entry = zip.getEntry("2011_09_26/2011_09_26_drive_0000_sync/image_02/data/0000000011.png");
            length = entry.getCompressedSize();
            offset = localDataOffset(zipPath, entry.getName());
        }
        byte[] bytes = Files.readAllBytes(zipPath);
        for (long i = offset; i < offset + length; i++) {
            bytes[(int) i] = 0;
        }
        Files.write(zipPath, bytes);

        try (KittiRawArchive archive = KittiRawArchive.open(dir)) {
            assertThat(archive.imageBytes(KittiFixtures.DRIVE, 3, KittiCamera.IMAGE_02))
                    .isEqualTo(Files.readAllBytes(KittiFixtures.kittiRoot().resolve(FRAME_3)));
            assertThatThrownBy(() -> archive.image(KittiFixtures.DRIVE, 11, KittiCamera.IMAGE_02))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    /** Offset of an entry's data in a zip: its local header's position plus the header's own length. */
    private static long localDataOffset(Path zipPath, String name) throws Exception {
        byte[] bytes = Files.readAllBytes(zipPath);
        byte[] nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i + 30 + nameBytes.length <= bytes.length; i++) {
            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 3 && bytes[i + 3] == 4) {
                int nameLength = (bytes[i + 26] & 0xFF) | (bytes[i + 27] & 0xFF) << 8;
                int extraLength = (bytes[i + 28] & 0xFF) | (bytes[i + 29] & 0xFF) << 8;
                if (nameLength == nameBytes.length
                        && java.util.Arrays.equals(bytes, i + 30, i + 30 + nameLength, nameBytes, 0, nameLength)) {
                    return i + 30L + nameLength + extraLength;
                }
            }
        }
        throw new IllegalStateException(name + " not found in " + zipPath);
    }

    @Test
    void missingDrivesFramesAndCalibrationsAreNamed(@TempDir Path empty) throws Exception {
        KittiDrive other = KittiDrive.parse("2011_09_26/2011_09_26_drive_0022_sync");
        try (KittiRawArchive archive = KittiRawArchive.open(KittiFixtures.kittiRoot());
                KittiRawArchive nothing = KittiRawArchive.open(empty)) {
            assertThatThrownBy(() -> archive.imageBytes(other, 3, KittiCamera.IMAGE_02))
                    .isInstanceOf(KittiDataException.class)
                    .hasMessageContaining("2011_09_26_drive_0022_sync.zip");
            assertThatThrownBy(() -> archive.imageBytes(KittiFixtures.DRIVE, 12, KittiCamera.IMAGE_02))
                    .isInstanceOf(KittiDataException.class)
                    .hasMessageContaining("frame 12 image_02 of drive 2011_09_26/2011_09_26_drive_0000_sync is missing")
                    .hasMessageContaining("0000000012.png");
            assertThatThrownBy(() -> archive.velodyne(KittiFixtures.DRIVE, 40))
                    .isInstanceOf(KittiDataException.class).hasMessageContaining("0000000040.bin");
            assertThatThrownBy(() -> nothing.calibration("2011_09_26"))
                    .isInstanceOf(KittiDataException.class).hasMessageContaining("2011_09_26_calib.zip");
            assertThat(archive.hasFrame(KittiFixtures.DRIVE, 11, KittiCamera.IMAGE_02)).isTrue();
            assertThat(archive.hasFrame(KittiFixtures.DRIVE, 11, KittiCamera.IMAGE_03)).isFalse();
        }
        assertThatThrownBy(() -> KittiRawArchive.open(empty.resolve("absent")))
                .isInstanceOf(KittiDataException.class).hasMessageContaining("absent");
    }

    @Test
    void foldersAndArchivesMixUnderOneRootAndTimestampsAreRead(@TempDir Path root) throws Exception {
        KittiFixtures.makeArchives(root);
        Path drive = root.resolve("2011_09_26/2011_09_26_drive_0005_sync");
        Files.createDirectories(drive.resolve("image_03/data"));
        Files.write(drive.resolve("image_03/data/0000000000.png"), new RgbImage(2, 1, new byte[6]).encodePng());
        Files.write(drive.resolve("image_03/data/0000000001.png"), new RgbImage(2, 1, new byte[6]).encodePng());
        Files.writeString(drive.resolve("image_03/timestamps.txt"),
                "2011-09-26 13:02:25.964389445\n2011-09-26 13:02:26.068099103\n");

        try (KittiRawArchive archive = KittiRawArchive.open(root)) {
            KittiDrive extracted = KittiDrive.parse("2011_09_26/2011_09_26_drive_0005_sync");
            assertThat(archive.drives()).containsExactly(KittiFixtures.DRIVE, extracted);
            assertThat(archive.cameras(extracted)).containsExactly(KittiCamera.IMAGE_03);
            assertThat(archive.frames(extracted, KittiCamera.IMAGE_03)).containsExactly(0, 1);
            assertThat(archive.timestamps(extracted, KittiCamera.IMAGE_03)).contains(List.of(
                    LocalDateTime.of(2011, 9, 26, 13, 2, 25, 964389445),
                    LocalDateTime.of(2011, 9, 26, 13, 2, 26, 68099103)));
            assertThat(archive.image(extracted, 1, KittiCamera.IMAGE_03).width()).isEqualTo(2);
            assertThat(archive.calibration("2011_09_26").imageSize(KittiCamera.IMAGE_02).width()).isEqualTo(1242);
        }
    }

    @Test
    void semanticMapsAreReadFromASemanticFolderBesideTheImages(@TempDir Path root) throws Exception {
        Path drive = root.resolve("2011_09_26/2011_09_26_drive_0007_sync");
        Files.createDirectories(drive.resolve("image_02/data"));
        Files.createDirectories(drive.resolve("image_02/semantic"));
        Files.write(drive.resolve("image_02/data/0000000000.png"), new RgbImage(3, 2, new byte[18]).encodePng());
        Files.write(drive.resolve("image_02/data/0000000001.png"), new RgbImage(3, 2, new byte[18]).encodePng());
        Files.write(drive.resolve("image_02/semantic/0000000000.png"),
                new SemanticMap(3, 2, new int[] {0, 1, 7, 7, 1, 255}).encodePng());
        Files.write(drive.resolve("image_02/semantic/0000000001.png"), new RgbImage(3, 2, new byte[18]).encodePng());

        try (KittiRawArchive archive = KittiRawArchive.open(root)) {
            KittiDrive extracted = KittiDrive.parse("2011_09_26/2011_09_26_drive_0007_sync");
            assertThat(archive.frames(extracted, KittiCamera.IMAGE_02)).containsExactly(0, 1);
            SemanticMap map = archive.semantic(extracted, 0, KittiCamera.IMAGE_02).orElseThrow();
            assertThat(map.width()).isEqualTo(3);
            assertThat(map.classes()).containsExactly(0, 1, 7, 7, 1, 255);
            assertThat(archive.semantic(extracted, 5, KittiCamera.IMAGE_02)).isEmpty();
            assertThat(archive.semantic(extracted, 0, KittiCamera.IMAGE_03)).isEmpty();
            // a colour PNG is no class-id map: named, not guessed
            assertThatThrownBy(() -> archive.semantic(extracted, 1, KittiCamera.IMAGE_02))
                    .isInstanceOf(KittiDataException.class)
                    .hasMessageContaining("image_02/semantic/0000000001.png");
        }
    }
}
