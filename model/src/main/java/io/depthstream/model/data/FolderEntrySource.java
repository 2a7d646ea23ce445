package io.depthstream.model.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Extracted KITTI raw folders under one root, addressed like archive entries. */
final class FolderEntrySource implements KittiEntrySource {

    private final Path root;

    FolderEntrySource(Path root) {
        this.root = root;
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public boolean exists(String entry) {
        return Files.isRegularFile(root.resolve(entry));
    }

    @Override
    public List<String> files(String dir) throws IOException {
        Path folder = root.resolve(dir);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public byte[] read(String entry) throws IOException {
        try {
            return Files.readAllBytes(root.resolve(entry));
        } catch (NoSuchFileException e) {
            throw new KittiDataException(entry + " is not in " + root, e);
        }
    }

    @Override
    public void close() {
        // Nothing is held open between reads.
    }
}
