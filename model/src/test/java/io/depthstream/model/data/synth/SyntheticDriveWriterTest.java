package io.depthstream.model.data.synth;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SyntheticDriveWriterTest {

    private static final DriveOptions OPTIONS = new DriveOptions(4, 64, 20, true, false);

    static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void writesKittiArchivesWithExactlyKittisEntryNames(@TempDir Path out) throws IOException {
        List<String> progress = new ArrayList<>();
        new SyntheticDriveWriter(5, 3, OPTIONS).write(out, (done, total) -> progress.add(done + "/" + total));

        assertThat(progress).containsExactly("1/12", "2/12", "3/12", "4/12", "5/12", "6/12", "7/12", "8/12",
                "9/12", "10/12", "11/12", "12/12");
        assertThat(entries(out.resolve("2011_09_26_calib.zip")).keySet()).containsExactly(
                "2011_09_26/calib_cam_to_cam.txt", "2011_09_26/calib_velo_to_cam.txt", "2011_09_26/calib_imu_to_velo.txt");

        Map<String, byte[]> drive = entries(out.resolve("2011_09_26_drive_0002_sync.zip"));
        String root = "2011_09_26/2011_09_26_drive_0002_sync/";
        List<String> expected = new ArrayList<>();
        for (String frame : List.of("0000000000", "0000000001", "0000000002", "0000000003")) {
            expected.add(root + "image_02/data/" + frame + ".png");
            expected.add(root + "velodyne_points/data/" + frame + ".bin");
            expected.add(root + "oxts/data/" + frame + ".txt");
        }
        expected.add(root + "image_02/timestamps.txt");
        expected.add(root + "velodyne_points/timestamps.txt");
        expected.add(root + "oxts/timestamps.txt");
        assertThat(drive.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Files.exists(out.resolve("2011_09_26_drive_0001_sync.zip"))).isTrue();
        assertThat(Files.exists(out.resolve("2011_09_26_drive_0003_sync.zip"))).isTrue();
        assertThat(Files.exists(out.resolve("2011_09_26_drive_0004_sync.zip"))).isFalse();
    }

    @Test
    void archiveContentsAreTheDrivesFramesScansAndClock(@TempDir Path out) throws IOException {
        new SyntheticDriveWriter(5, 1, OPTIONS).write(out, (done, total) -> { });
        SyntheticDrive drive = SyntheticDrive.generate(SyntheticDriveWriter.driveSeed(5, 1), OPTIONS);
        Map<String, byte[]> zip = entries(out.resolve("2011_09_26_drive_0001_sync.zip"));
        String root = "2011_09_26/2011_09_26_drive_0001_sync/";

        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS");
        for (String sensor : List.of("image_02", "velodyne_points", "oxts")) {
            String[] lines = text(zip.get(root + sensor + "/timestamps.txt")).split("\n");
            assertThat(lines).hasSize(4);
            assertThat(lines[0]).isEqualTo("2011-09-26 13:02:25.000000000");
            LocalDateTime first = LocalDateTime.parse(lines[0], format);
            LocalDateTime last = LocalDateTime.parse(lines[3], format);
            assertThat(ChronoUnit.MILLIS.between(first, last)).isEqualTo(300);
        }
        for (int f = 0; f < 4; f++) {
            String name = SyntheticDriveWriter.frameName(f);
            RenderedFrame frame = drive.render(f);
            RgbImage image = RgbImage.decode(zip.get(root + "image_02/data/" + name + ".png"));
            assertThat(image.rgb()).isEqualTo(frame.image().rgb());

            byte[] bin = zip.get(root + "velodyne_points/data/" + name + ".bin");
            float[] expected = drive.scan(f);
            assertThat(bin.length).isEqualTo(expected.length * 4);
            float[] read = new float[expected.length];
            ByteBuffer.wrap(bin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(read);
            assertThat(read).isEqualTo(expected);

            String[] oxts = text(zip.get(root + "oxts/data/" + name + ".txt")).trim().split(" ");
            assertThat(oxts).hasSize(30);
            assertThat(Double.parseDouble(oxts[0])).isBetween(49.0, 49.03);
            assertThat(Double.parseDouble(oxts[8])).as("forward speed, m/s").isCloseTo(10.0, within(1.0));

            DepthMap depth = DepthMap.decodeKittiPng(Files.readAllBytes(
                    out.resolve("depth_gt/2011_09_26_drive_0001_sync/" + name + ".png")));
            for (int i = 0; i < depth.depth().length; i++) {
                assertThat(depth.depth()[i]).isCloseTo(frame.depth().depth()[i], within(1 / 512f + 1e-4f));
            }
        }

        List<String> poses = Files.readAllLines(out.resolve("poses/2011_09_26_drive_0001_sync.txt"));
        assertThat(poses).hasSize(4);
        assertThat(poses.get(0)).isEqualTo(RigidTransform.identity().toKittiLine());
        String[] third = poses.get(2).split(" ");
        assertThat(third).hasSize(12);
        for (int k = 0; k < 12; k++) {
            assertThat(Double.parseDouble(third[k])).isCloseTo(drive.cameraToWorld(2).m()[k], within(1e-5));
        }

        String calib = text(entries(out.resolve("2011_09_26_calib.zip")).get("2011_09_26/calib_cam_to_cam.txt"));
        assertThat(calib).contains("S_rect_02: 6.400000e+01 2.000000e+01\n")
                .contains("R_rect_00: 9.999239e-01 9.837760e-03 -7.445048e-03")
                .contains("P_rect_02: 3.718069e+01 0.000000e+00 3.141046e+01 2.311486e+00");
    }

    @Test
    void splitsListFramesWithBothNeighboursByDrive(@TempDir Path out) throws IOException {
        new SyntheticDriveWriter(5, 3, OPTIONS).write(out, (done, total) -> { });

        assertThat(Files.readAllLines(out.resolve("splits/train_files.txt"))).containsExactly(
                "2011_09_26/2011_09_26_drive_0001_sync 1 l", "2011_09_26/2011_09_26_drive_0001_sync 2 l");
        assertThat(Files.readAllLines(out.resolve("splits/val_files.txt"))).containsExactly(
                "2011_09_26/2011_09_26_drive_0002_sync 1 l", "2011_09_26/2011_09_26_drive_0002_sync 2 l");
        assertThat(Files.readAllLines(out.resolve("splits/test_files.txt"))).containsExactly(
                "2011_09_26/2011_09_26_drive_0003_sync 0 l", "2011_09_26/2011_09_26_drive_0003_sync 1 l",
                "2011_09_26/2011_09_26_drive_0003_sync 2 l", "2011_09_26/2011_09_26_drive_0003_sync 3 l");
    }

    @Test
    void aSingleDriveSplitsItsInteriorFramesInOrder(@TempDir Path out) throws IOException {
        new SyntheticDriveWriter(5, 1, new DriveOptions(12, 16, 8, false, false)).write(out, (done, total) -> { });

        List<String> train = Files.readAllLines(out.resolve("splits/train_files.txt"));
        List<String> val = Files.readAllLines(out.resolve("splits/val_files.txt"));
        List<String> test = Files.readAllLines(out.resolve("splits/test_files.txt"));
        assertThat(train).hasSize(7).startsWith("2011_09_26/2011_09_26_drive_0001_sync 1 l")
                .endsWith("2011_09_26/2011_09_26_drive_0001_sync 7 l");
        assertThat(val).containsExactly("2011_09_26/2011_09_26_drive_0001_sync 8 l");
        assertThat(test).containsExactly(
                "2011_09_26/2011_09_26_drive_0001_sync 9 l", "2011_09_26/2011_09_26_drive_0001_sync 10 l");
    }

    @Test
    void sameSeedWritesIdenticalBytesAndAnotherSeedDoesNot(@TempDir Path out) throws IOException {
        new SyntheticDriveWriter(8, 1, OPTIONS).write(out.resolve("a"), (done, total) -> { });
        new SyntheticDriveWriter(8, 1, OPTIONS).write(out.resolve("b"), (done, total) -> { });
        new SyntheticDriveWriter(9, 1, OPTIONS).write(out.resolve("c"), (done, total) -> { });

        for (String file : List.of("2011_09_26_calib.zip", "2011_09_26_drive_0001_sync.zip",
                "poses/2011_09_26_drive_0001_sync.txt", "depth_gt/2011_09_26_drive_0001_sync/0000000003.png")) {
            assertThat(Files.readAllBytes(out.resolve("a").resolve(file)))
                    .as(file).isEqualTo(Files.readAllBytes(out.resolve("b").resolve(file)));
        }
        String image = "2011_09_26/2011_09_26_drive_0001_sync/image_02/data/0000000001.png";
        assertThat(entries(out.resolve("a/2011_09_26_drive_0001_sync.zip")).get(image))
                .isNotEqualTo(entries(out.resolve("c/2011_09_26_drive_0001_sync.zip")).get(image));
    }
}
