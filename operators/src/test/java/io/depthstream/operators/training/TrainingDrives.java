package io.depthstream.operators.training;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDriveWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** A tiny synthetic KITTI drive (archives, or extracted folders) and a split file listing every one of its frames. */
final class TrainingDrives {

    static final int FRAMES = 12;
    static final int WIDTH = 96;
    static final int HEIGHT = 32;
    static final String DRIVE = "2011_09_26/" + SyntheticDriveWriter.driveName(1);

    private TrainingDrives() {
    }

    /** Writes the drive's archives under {@code root} and a split file of frames 0 … FRAMES−1 (lines 1 … FRAMES). */
    static Path writeArchives(Path root) throws IOException {
        new SyntheticDriveWriter(11, 1, new DriveOptions(FRAMES, WIDTH, HEIGHT, false, false))
                .write(root, (done, total) -> { });
        return writeSplit(root.resolve("all_files.txt"));
    }

    /** The split file: line n lists frame n − 1 of the left camera. */
    static Path writeSplit(Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int frame = 0; frame < FRAMES; frame++) {
            text.append(DRIVE).append(' ').append(frame).append(" l\n");
        }
        return Files.writeString(file, text);
    }

    /** The split line numbers in file order. */
    static List<Integer> lines() {
        List<Integer> lines = new ArrayList<>();
        for (int line = 1; line <= FRAMES; line++) {
            lines.add(line);
        }
        return lines;
    }

    /** Unpacks every archive in {@code archives} into {@code target}: the extracted-folder form of the same data. */
    static void extract(Path archives, Path target) throws IOException {
        List<Path> zips;
        try (Stream<Path> files = Files.list(archives)) {
            zips = files.filter(p -> p.getFileName().toString().endsWith(".zip")).toList();
        }
        for (Path zip : zips) {
            try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
                for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                    if (entry.isDirectory()) {
                        continue;
                    }
                    Path file = target.resolve(entry.getName());
                    Files.createDirectories(file.getParent());
                    Files.write(file, entries.readAllBytes());
                }
            }
        }
    }

    /** The stored image path of {@code frame} in the extracted form under {@code root}. */
    static Path framePath(Path root, int frame) {
        return root.resolve(DRIVE).resolve("image_02/data").resolve(SyntheticDriveWriter.frameName(frame) + ".png");
    }
}
