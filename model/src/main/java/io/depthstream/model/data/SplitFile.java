package io.depthstream.model.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A KITTI split list as the community publishes them ({@code eigen/test_files.txt}, {@code eigen_zhou/train_files.txt}):
 * lines {@code date/drive frame side}, side {@code l} (image_02) or {@code r} (image_03); blank lines are ignored.
 *
 * @param source where the list came from, for messages
 * @param entries the frames in file order
 */
public record SplitFile(String source, List<SplitEntry> entries) {

    public SplitFile {
        entries = List.copyOf(entries);
    }

    /**
     * Reads a split file.
     *
     * @throws KittiDataException when the file is missing or a line is malformed (the message names the line)
     */
    public static SplitFile read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new KittiDataException("split file " + file + " does not exist", e);
        }
        return parse(file.toString(), text);
    }

    /**
     * Parses split-file text.
     *
     * @param source the name messages use for it
     * @throws KittiDataException on the first malformed line, naming it by number
     */
    public static SplitFile parse(String source, String text) throws KittiDataException {
        List<SplitEntry> entries = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            entries.add(parseLine(source, i + 1, line));
        }
        return new SplitFile(source, entries);
    }

    private static SplitEntry parseLine(String source, int number, String line) throws KittiDataException {
        String[] tokens = line.split("\\s+");
        String where = source + " line " + number + ": ";
        if (tokens.length != 3) {
            throw new KittiDataException(where + "expected 'YYYY_MM_DD/YYYY_MM_DD_drive_NNNN_sync FRAME l|r', got '" + line + "'");
        }
        try {
            KittiDrive drive = KittiDrive.parse(tokens[0]);
            int frame;
            try {
                frame = Integer.parseInt(tokens[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("frame index is not a number: '" + tokens[1] + "'");
            }
            if (frame < 0) {
                throw new IllegalArgumentException("frame index must not be negative: " + frame);
            }
            return new SplitEntry(drive, frame, KittiCamera.ofSide(tokens[2]), number);
        } catch (IllegalArgumentException e) {
            throw new KittiDataException(where + e.getMessage() + " in '" + line + "'", e);
        }
    }

    /** Number of frames listed. */
    public int size() {
        return entries.size();
    }

    /** The distinct drives listed, in first-appearance order. */
    public List<KittiDrive> drives() {
        return entries.stream().map(SplitEntry::drive).distinct().toList();
    }

    /**
     * Checks that every listed image is in {@code archive}.
     *
     * @throws KittiDataException naming the first missing drive or frame, its line, and how many more are missing
     */
    public void requireImages(KittiRawArchive archive) throws KittiDataException {
        String first = null;
        int missing = 0;
        for (SplitEntry entry : entries) {
            if (archive.hasFrame(entry.drive(), entry.frame(), entry.camera())) {
                continue;
            }
            missing++;
            if (first == null) {
                String what = archive.hasDrive(entry.drive())
                        ? "frame " + entry.frame() + " " + entry.camera().folder() + " of drive " + entry.drive()
                                + " is missing (" + String.format("%010d", entry.frame()) + ".png)"
                        : archive.missingDrive(entry.drive()).getMessage();
                first = source + " line " + entry.line() + ": " + what;
            }
        }
        if (first != null) {
            throw new KittiDataException(missing == 1 ? first : first + " (" + (missing - 1) + " more listed frames are missing)");
        }
    }
}
