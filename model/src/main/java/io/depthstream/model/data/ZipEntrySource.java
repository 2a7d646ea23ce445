package io.depthstream.model.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One KITTI {@code .zip} archive read in place: ZipFile seeks through the central directory to single entries, so
 * a frame costs one entry's bytes, never the archive's.
 */
final class ZipEntrySource implements KittiEntrySource {

    private final Path file;
    private final ZipFile zip;
    private final Map<String, TreeSet<String>> filesByDir = new HashMap<>();

    ZipEntrySource(Path file) throws IOException {
        this.file = file;
        try {
            this.zip = new ZipFile(file.toFile());
        } catch (IOException e) {
            throw new KittiDataException("cannot open KITTI archive " + file + ": " + e.getMessage(), e);
        }
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            if (entry.isDirectory()) {
                continue;
            }
            String name = entry.getName();
            int slash = name.lastIndexOf('/');
            String dir = slash < 0 ? "" : name.substring(0, slash);
            filesByDir.computeIfAbsent(dir, d -> new TreeSet<>()).add(name.substring(slash + 1));
        }
    }

    /** Folders holding at least one file, e.g. {@code 2011_09_26/2011_09_26_drive_0001_sync/image_02/data}. */
    Iterable<String> dirs() {
        return filesByDir.keySet();
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public boolean exists(String entry) {
        ZipEntry e = zip.getEntry(entry);
        return e != null && !e.isDirectory();
    }

    @Override
    public List<String> files(String dir) {
        TreeSet<String> names = filesByDir.get(dir);
        return names == null ? List.of() : new ArrayList<>(names);
    }

    @Override
    public byte[] read(String entry) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        if (e == null || e.isDirectory()) {
            throw new KittiDataException(entry + " is not in " + file);
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
