package io.depthstream.model.data.synth;

import io.depthstream.model.data.DepthMap;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes synthetic drives exactly as KITTI raw ships them, plus their ground truth:
 * <pre>
 * OUT/2011_09_26_calib.zip              2011_09_26/calib_{cam_to_cam,velo_to_cam,imu_to_velo}.txt
 * OUT/2011_09_26_drive_NNNN_sync.zip    2011_09_26/2011_09_26_drive_NNNN_sync/{image_02,velodyne_points,oxts}/…
 * OUT/poses/2011_09_26_drive_NNNN_sync.txt       camera-to-world, KITTI odometry format, first pose identity
 * OUT/depth_gt/2011_09_26_drive_NNNN_sync/%010d.png   dense depth, KITTI 16-bit encoding
 * OUT/splits/{train,val,test}_files.txt           eigen_zhou line format
 * </pre>
 * Frames stream into the archives one at a time; the same seed writes byte-identical files.
 */
public final class SyntheticDriveWriter {

    /** Receives progress after every frame. */
    @FunctionalInterface
    public interface Progress {
        /** {@code done} of {@code total} frames are written. */
        void framesWritten(int done, int total);
    }

    private static final String DATE = RigCalibration.DATE;
    private static final LocalDateTime FIRST_START = LocalDateTime.of(2011, 9, 26, 13, 2, 25);

    private final long seed;
    private final int drives;
    private final DriveOptions options;

    /** A writer of {@code drives} drives (numbered from 1) generated from {@code seed}. */
    public SyntheticDriveWriter(long seed, int drives, DriveOptions options) {
        if (drives < 1 || drives > 9999) {
            throw new IllegalArgumentException("drives must be between 1 and 9999, got " + drives);
        }
        this.seed = seed;
        this.drives = drives;
        this.options = options;
    }

    /** KITTI's folder name of drive {@code number}: {@code 2011_09_26_drive_0001_sync}. */
    public static String driveName(int number) {
        return String.format(Locale.ROOT, "%s_drive_%04d_sync", DATE, number);
    }

    /** KITTI's 10-digit frame file stem: {@code 0000000042}. */
    public static String frameName(int frame) {
        return String.format(Locale.ROOT, "%010d", frame);
    }

    /** The seed of drive {@code number}, independent of how many drives are written. */
    public static long driveSeed(long seed, int number) {
        return new SplittableRandom(seed ^ (number * 0x9E3779B97F4A7C15L)).nextLong();
    }

    /** Capture time of {@code frame} of drive {@code number} in KITTI's timestamp format. */
    public static String timestamp(int number, int frame) {
        LocalDateTime time = FIRST_START.plusMinutes(10L * (number - 1)).plusNanos(100_000_000L * frame);
        return String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d.%09d", time.getYear(), time.getMonthValue(),
                time.getDayOfMonth(), time.getHour(), time.getMinute(), time.getSecond(), time.getNano());
    }

    /** Writes everything under {@code out} (created if missing; existing files of the same names are replaced). */
    public List<Path> write(Path out, Progress progress) throws IOException {
        Files.createDirectories(out);
        List<Path> written = new ArrayList<>();
        written.add(writeCalibration(out));
        int total = drives * options.frames();
        int done = 0;
        for (int number = 1; number <= drives; number++) {
            SyntheticDrive drive = SyntheticDrive.generate(driveSeed(seed, number), options);
            written.add(writeDrive(out, number, drive, done, total, progress));
            written.add(out.resolve("poses").resolve(driveName(number) + ".txt"));
            done += options.frames();
        }
        written.addAll(writeSplits(out));
        return written;
    }

    private Path writeCalibration(Path out) throws IOException {
        RigCalibration calibration = RigCalibration.forImageSize(options.width(), options.height());
        Path zip = out.resolve(DATE + "_calib.zip");
        try (ZipOutputStream stream = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(stream, DATE + "/calib_cam_to_cam.txt", calibration.camToCamText(), FIRST_START);
            put(stream, DATE + "/calib_velo_to_cam.txt", calibration.veloToCamText(), FIRST_START);
            put(stream, DATE + "/calib_imu_to_velo.txt", calibration.imuToVeloText(), FIRST_START);
        }
        return zip;
    }

    private Path writeDrive(Path out, int number, SyntheticDrive drive, int doneBefore, int total, Progress progress)
            throws IOException {
        String name = driveName(number);
        String root = DATE + "/" + name + "/";
        Path zip = out.resolve(name + ".zip");
        Path depthDir = out.resolve("depth_gt").resolve(name);
        Files.createDirectories(depthDir);
        Files.createDirectories(out.resolve("poses"));
        SplittableRandom place = new SplittableRandom(drive.seed() ^ 0x0C75L);
        double lat0 = 49.0 + 0.03 * place.nextDouble();
        double lon0 = 8.38 + 0.06 * place.nextDouble();
        double alt0 = 110 + 10 * place.nextDouble();
        double heading0 = 2 * Math.PI * place.nextDouble();
        StringBuilder times = new StringBuilder();
        try (ZipOutputStream stream = new ZipOutputStream(Files.newOutputStream(zip));
             BufferedWriter poses = Files.newBufferedWriter(out.resolve("poses").resolve(name + ".txt"))) {
            for (int f = 0; f < drive.frames(); f++) {
                LocalDateTime when = FIRST_START.plusMinutes(10L * (number - 1)).plusNanos(100_000_000L * f);
                RenderedFrame frame = drive.render(f);
                put(stream, root + "image_02/data/" + frameName(f) + ".png", frame.image().encodePng(), when);
                put(stream, root + "velodyne_points/data/" + frameName(f) + ".bin", velodyneBytes(drive.scan(f)), when);
                put(stream, root + "oxts/data/" + frameName(f) + ".txt",
                        OxtsPacket.at(drive, f, lat0, lon0, alt0, heading0).toLine() + "\n", when);
                DepthMap depth = frame.depth();
                Files.write(depthDir.resolve(frameName(f) + ".png"), depth.encodeKittiPng());
                poses.write(drive.cameraToWorld(f).toKittiLine());
                poses.write('\n');
                times.append(timestamp(number, f)).append('\n');
                progress.framesWritten(doneBefore + f + 1, total);
            }
            LocalDateTime start = FIRST_START.plusMinutes(10L * (number - 1));
            for (String sensor : new String[] {"image_02", "velodyne_points", "oxts"}) {
                put(stream, root + sensor + "/timestamps.txt", times.toString(), start);
            }
        }
        return zip;
    }

    /**
     * Split files: with three or more drives the last drive is the test set (all frames), the one before it the
     * validation set and the others the training set; with fewer, each drive's frames split 65/15/20 in order.
     * Training and validation frames have both neighbours, as triplets need.
     */
    private List<Path> writeSplits(Path out) throws IOException {
        StringBuilder train = new StringBuilder();
        StringBuilder val = new StringBuilder();
        StringBuilder test = new StringBuilder();
        int frames = options.frames();
        for (int number = 1; number <= drives; number++) {
            String folder = DATE + "/" + driveName(number);
            if (drives >= 3) {
                StringBuilder target = number == drives ? test : number == drives - 1 ? val : train;
                int first = number == drives ? 0 : 1;
                int last = number == drives ? frames - 1 : frames - 2;
                for (int f = first; f <= last; f++) {
                    target.append(folder).append(' ').append(f).append(" l\n");
                }
            } else {
                int interior = frames - 2;
                for (int f = 1; f <= frames - 2; f++) {
                    double position = (f - 1) / (double) interior;
                    StringBuilder target = position >= 0.8 ? test : position >= 0.65 ? val : train;
                    target.append(folder).append(' ').append(f).append(" l\n");
                }
            }
        }
        Path dir = Files.createDirectories(out.resolve("splits"));
        List<Path> files = List.of(dir.resolve("train_files.txt"), dir.resolve("val_files.txt"),
                dir.resolve("test_files.txt"));
        Files.writeString(files.get(0), train);
        Files.writeString(files.get(1), val);
        Files.writeString(files.get(2), test);
        return files;
    }

    private static byte[] velodyneBytes(float[] points) {
        ByteBuffer buffer = ByteBuffer.allocate(points.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(points);
        return buffer.array();
    }

    private static void put(ZipOutputStream stream, String name, String text, LocalDateTime when) throws IOException {
        put(stream, name, text.getBytes(StandardCharsets.US_ASCII), when);
    }

    /**
     * Entry times come from the drive's clock, never the wall clock, so the archives are reproducible. PNGs and
     * lidar floats are stored, not deflated: deflate would shrink them by about a tenth and cost more time per
     * frame than rendering the lidar sweep.
     */
    private static void put(ZipOutputStream stream, String name, byte[] bytes, LocalDateTime when) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(when);
        if (name.endsWith(".png") || name.endsWith(".bin")) {
            CRC32 crc = new CRC32();
            crc.update(bytes);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(bytes.length);
            entry.setCompressedSize(bytes.length);
            entry.setCrc(crc.getValue());
        }
        stream.putNextEntry(entry);
        stream.write(bytes);
        stream.closeEntry();
    }
}
