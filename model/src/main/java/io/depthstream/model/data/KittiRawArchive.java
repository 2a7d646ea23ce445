package io.depthstream.model.data;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * KITTI raw data under one root folder, read in place: the published {@code <date>_drive_NNNN_sync.zip} and
 * {@code <date>_calib.zip} archives (single entries by random access, never unpacked) and/or extracted
 * {@code <date>/<date>_drive_NNNN_sync/} folders with {@code <date>/calib_*.txt}. Where a drive or a date's
 * calibration exists both ways, the extracted folder is used.
 *
 * <p>Frames are addressed by (drive, frame index, camera); the index is the number in KITTI's file names
 * ({@code 0000000473.png} → 473). Safe for concurrent reads.
 */
public final class KittiRawArchive implements Closeable {

    private static final Pattern DRIVE_DIR = Pattern.compile("(\\d{4}_\\d{2}_\\d{2})/(\\d{4}_\\d{2}_\\d{2}_drive_\\d{4}_sync)/.*");
    private static final Pattern CALIB_ENTRY = Pattern.compile("(\\d{4}_\\d{2}_\\d{2})/" + Pattern.quote(KittiCalibration.CAM_TO_CAM));
    private static final Pattern FRAME_FILE = Pattern.compile("(\\d{10})\\.(png|bin)");
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    private final Path root;
    private final List<KittiEntrySource> sources;
    private final Map<KittiDrive, KittiEntrySource> drives;
    private final Map<String, KittiEntrySource> calibrations;
    private final Map<String, KittiCalibration> parsedCalibrations = new ConcurrentHashMap<>();

    private KittiRawArchive(Path root, List<KittiEntrySource> sources, Map<KittiDrive, KittiEntrySource> drives,
            Map<String, KittiEntrySource> calibrations) {
        this.root = root;
        this.sources = sources;
        this.drives = drives;
        this.calibrations = calibrations;
    }

    /**
     * Opens a root folder holding KITTI archives and/or extracted date folders, or one archive file. Only the
     * archives' central directories are read here.
     *
     * @throws KittiDataException when the root does not exist or an archive cannot be opened
     */
    public static KittiRawArchive open(Path root) throws IOException {
        List<KittiEntrySource> sources = new ArrayList<>();
        Map<KittiDrive, KittiEntrySource> drives = new TreeMap<>(
                (a, b) -> a.path().compareTo(b.path()));
        Map<String, KittiEntrySource> calibrations = new TreeMap<>();
        try {
            if (Files.isRegularFile(root) && root.getFileName().toString().endsWith(".zip")) {
                addArchive(root, sources, drives, calibrations);
            } else if (Files.isDirectory(root)) {
                List<Path> archives;
                try (Stream<Path> children = Files.list(root)) {
                    archives = children.filter(p -> p.getFileName().toString().endsWith(".zip") && Files.isRegularFile(p))
                            .sorted().toList();
                }
                for (Path archive : archives) {
                    addArchive(archive, sources, drives, calibrations);
                }
                addFolders(root, sources, drives, calibrations);
            } else {
                throw new KittiDataException("KITTI raw root " + root + " is neither a folder nor a .zip archive");
            }
        } catch (IOException | RuntimeException e) {
            for (KittiEntrySource source : sources) {
                source.close();
            }
            throw e;
        }
        return new KittiRawArchive(root, List.copyOf(sources), drives, calibrations);
    }

    private static void addArchive(Path file, List<KittiEntrySource> sources, Map<KittiDrive, KittiEntrySource> drives,
            Map<String, KittiEntrySource> calibrations) throws IOException {
        ZipEntrySource zip = new ZipEntrySource(file);
        sources.add(zip);
        for (String dir : zip.dirs()) {
            Matcher drive = DRIVE_DIR.matcher(dir + "/");
            if (drive.matches() && drive.group(2).startsWith(drive.group(1))) {
                drives.put(new KittiDrive(drive.group(1), drive.group(2)), zip);
            }
            for (String name : zip.files(dir)) {
                Matcher calib = CALIB_ENTRY.matcher(dir + "/" + name);
                if (calib.matches()) {
                    calibrations.put(calib.group(1), zip);
                }
            }
        }
    }

    private static void addFolders(Path root, List<KittiEntrySource> sources, Map<KittiDrive, KittiEntrySource> drives,
            Map<String, KittiEntrySource> calibrations) throws IOException {
        FolderEntrySource folder = new FolderEntrySource(root);
        boolean used = false;
        List<Path> dates;
        try (Stream<Path> children = Files.list(root)) {
            dates = children.filter(Files::isDirectory)
                    .filter(p -> KittiDrive.DATE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        for (Path dateDir : dates) {
            String date = dateDir.getFileName().toString();
            if (Files.isRegularFile(dateDir.resolve(KittiCalibration.CAM_TO_CAM))) {
                calibrations.put(date, folder);
                used = true;
            }
            List<Path> driveDirs;
            try (Stream<Path> children = Files.list(dateDir)) {
                driveDirs = children.filter(Files::isDirectory).sorted().toList();
            }
            for (Path driveDir : driveDirs) {
                Matcher name = KittiDrive.NAME.matcher(driveDir.getFileName().toString());
                if (name.matches() && name.group(1).equals(date)) {
                    drives.put(new KittiDrive(date, driveDir.getFileName().toString()), folder);
                    used = true;
                }
            }
        }
        if (used) {
            sources.add(folder);
        }
    }

    /** The root this archive was opened on. */
    public Path root() {
        return root;
    }

    /** The drives found, sorted by path. */
    public List<KittiDrive> drives() {
        return List.copyOf(drives.keySet());
    }

    /** Whether {@code drive} is present (as an archive or a folder). */
    public boolean hasDrive(KittiDrive drive) {
        return drives.containsKey(drive);
    }

    /** The dates whose calibration is present, sorted. */
    public List<String> calibrationDates() {
        return List.copyOf(calibrations.keySet());
    }

    /** The colour cameras with at least one frame in {@code drive}. */
    public List<KittiCamera> cameras(KittiDrive drive) throws IOException {
        List<KittiCamera> cameras = new ArrayList<>();
        for (KittiCamera camera : KittiCamera.values()) {
            if (!frames(drive, camera).isEmpty()) {
                cameras.add(camera);
            }
        }
        return cameras;
    }

    /** Frame indices with an image of {@code camera} in {@code drive}, ascending. */
    public List<Integer> frames(KittiDrive drive, KittiCamera camera) throws IOException {
        return frameIndices(drive, camera.folder() + "/data", "png");
    }

    /** Frame indices with a Velodyne scan in {@code drive}, ascending. */
    public List<Integer> velodyneFrames(KittiDrive drive) throws IOException {
        return frameIndices(drive, "velodyne_points/data", "bin");
    }

    /** Whether {@code drive} is present and holds frame {@code frame} of {@code camera}. */
    public boolean hasFrame(KittiDrive drive, int frame, KittiCamera camera) {
        KittiEntrySource source = drives.get(drive);
        return source != null && source.exists(imageEntry(drive, frame, camera));
    }

    /**
     * The capture times in {@code <camera>/timestamps.txt}, one per frame index, or empty when the drive has none
     * (KITTI writes local times with nanoseconds, no zone).
     */
    public Optional<List<LocalDateTime>> timestamps(KittiDrive drive, KittiCamera camera) throws IOException {
        return timestampFile(drive, camera.folder() + "/timestamps.txt");
    }

    /** The capture times of the Velodyne scans ({@code velodyne_points/timestamps.txt}), or empty when absent. */
    public Optional<List<LocalDateTime>> velodyneTimestamps(KittiDrive drive) throws IOException {
        return timestampFile(drive, "velodyne_points/timestamps.txt");
    }

    /** The encoded PNG of one frame. */
    public byte[] imageBytes(KittiDrive drive, int frame, KittiCamera camera) throws IOException {
        return readFrame(drive, imageEntry(drive, frame, camera), "frame " + frame + " " + camera.folder());
    }

    /**
     * The class-id map of one frame for the semantic triplet loss, from a {@code semantic/} folder beside the
     * camera's {@code data/} folder ({@code image_02/semantic/0000000005.png}: an 8-bit grayscale PNG of the image's
     * size, value = class id), or empty when the drive has none for this frame.
     *
     * @throws KittiDataException when the map exists but is not an 8-bit grayscale PNG
     */
    public Optional<SemanticMap> semantic(KittiDrive drive, int frame, KittiCamera camera) throws IOException {
        KittiEntrySource source = source(drive);
        String entry = semanticEntry(drive, frame, camera);
        if (!source.exists(entry)) {
            return Optional.empty();
        }
        try {
            return Optional.of(SemanticMap.decodePng(source.read(entry)));
        } catch (IllegalArgumentException e) {
            throw new KittiDataException(entry + " in " + source.describe() + ": " + e.getMessage(), e);
        }
    }

    /** One frame, decoded. */
    public RgbImage image(KittiDrive drive, int frame, KittiCamera camera) throws IOException {
        String entry = imageEntry(drive, frame, camera);
        byte[] png = readFrame(drive, entry, "frame " + frame + " " + camera.folder());
        try {
            return RgbImage.decode(png);
        } catch (IllegalArgumentException e) {
            throw new KittiDataException(entry + " in " + drives.get(drive).describe() + ": " + e.getMessage(), e);
        }
    }

    /** One Velodyne scan. */
    public VelodyneScan velodyne(KittiDrive drive, int frame) throws IOException {
        String entry = drive.path() + "/velodyne_points/data/" + frameName(frame) + ".bin";
        byte[] bin = readFrame(drive, entry, "velodyne scan " + frame);
        try {
            return VelodyneScan.decode(bin);
        } catch (IllegalArgumentException e) {
            throw new KittiDataException(entry + " in " + drives.get(drive).describe() + ": " + e.getMessage(), e);
        }
    }

    /** The raw bytes of a calibration file of {@code date}, e.g. {@code calib_cam_to_cam.txt}. */
    public byte[] calibrationFile(String date, String fileName) throws IOException {
        KittiEntrySource source = calibrations.get(date);
        if (source == null) {
            throw new KittiDataException("no calibration for " + date + " under " + root + ": neither " + date
                    + "_calib.zip nor " + date + "/" + KittiCalibration.CAM_TO_CAM);
        }
        String entry = date + "/" + fileName;
        if (!source.exists(entry)) {
            throw new KittiDataException(entry + " is missing from " + source.describe());
        }
        return source.read(entry);
    }

    /** The parsed calibration of {@code date} (parsed once, then shared). */
    public KittiCalibration calibration(String date) throws IOException {
        KittiCalibration cached = parsedCalibrations.get(date);
        if (cached != null) {
            return cached;
        }
        String camToCam = new String(calibrationFile(date, KittiCalibration.CAM_TO_CAM), StandardCharsets.US_ASCII);
        String veloToCam = new String(calibrationFile(date, KittiCalibration.VELO_TO_CAM), StandardCharsets.US_ASCII);
        KittiCalibration parsed;
        try {
            parsed = KittiCalibration.parse(camToCam, veloToCam);
        } catch (KittiDataException e) {
            throw new KittiDataException(date + " calibration in " + calibrations.get(date).describe() + ": " + e.getMessage(), e);
        }
        parsedCalibrations.putIfAbsent(date, parsed);
        return parsed;
    }

    /** Why {@code drive} cannot be read, naming what was looked for. */
    KittiDataException missingDrive(KittiDrive drive) {
        return new KittiDataException("drive " + drive + " is not under " + root + ": neither " + drive.archiveName()
                + " nor folder " + drive.path());
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (KittiEntrySource source : sources) {
            try {
                source.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private KittiEntrySource source(KittiDrive drive) throws KittiDataException {
        KittiEntrySource source = drives.get(drive);
        if (source == null) {
            throw missingDrive(drive);
        }
        return source;
    }

    private byte[] readFrame(KittiDrive drive, String entry, String what) throws IOException {
        KittiEntrySource source = source(drive);
        if (!source.exists(entry)) {
            throw new KittiDataException(what + " of drive " + drive + " is missing: no " + entry + " in " + source.describe());
        }
        return source.read(entry);
    }

    private List<Integer> frameIndices(KittiDrive drive, String dir, String extension) throws IOException {
        List<Integer> indices = new ArrayList<>();
        for (String name : source(drive).files(drive.path() + "/" + dir)) {
            Matcher matcher = FRAME_FILE.matcher(name);
            if (matcher.matches() && matcher.group(2).equals(extension)) {
                indices.add(Integer.parseInt(matcher.group(1)));
            }
        }
        indices.sort(null);
        return indices;
    }

    private Optional<List<LocalDateTime>> timestampFile(KittiDrive drive, String file) throws IOException {
        KittiEntrySource source = source(drive);
        String entry = drive.path() + "/" + file;
        if (!source.exists(entry)) {
            return Optional.empty();
        }
        List<LocalDateTime> times = new ArrayList<>();
        String[] lines = new String(source.read(entry), StandardCharsets.US_ASCII).split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                times.add(LocalDateTime.parse(line, TIMESTAMP));
            } catch (DateTimeParseException e) {
                throw new KittiDataException(entry + " line " + (i + 1) + ": not a timestamp: '" + line + "'", e);
            }
        }
        return Optional.of(List.copyOf(times));
    }

    private static String imageEntry(KittiDrive drive, int frame, KittiCamera camera) {
        return drive.path() + "/" + camera.folder() + "/data/" + frameName(frame) + ".png";
    }

    private static String semanticEntry(KittiDrive drive, int frame, KittiCamera camera) {
        return drive.path() + "/" + camera.folder() + "/semantic/" + frameName(frame) + ".png";
    }

    private static String frameName(int frame) {
        if (frame < 0) {
            throw new IllegalArgumentException("frame index must not be negative: " + frame);
        }
        return String.format("%010d", frame);
    }
}
