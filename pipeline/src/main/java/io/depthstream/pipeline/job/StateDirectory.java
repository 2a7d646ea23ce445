package io.depthstream.pipeline.job;

import io.depthstream.pipeline.config.StreamingConfig;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Where the local {@code stream} command keeps its job's state between runs: {@code checkpoints/} (Flink's retained
 * checkpoints), {@code savepoints/} (the savepoint a stop takes), and {@code job.properties}, the settings a
 * savepoint must be restored with. The next run resumes from the newest savepoint or retained checkpoint, so it
 * neither loses nor repeats a frame: Kafka offsets, triplet state and sink transactions all come from the same point.
 */
public final class StateDirectory {

    private static final String FINGERPRINT = "job.properties";

    private final Path root;

    private StateDirectory(Path root) {
        this.root = root;
    }

    /** The state directory at {@code root}; it is created when the first job {@link #remember}s its settings. */
    public static StateDirectory open(Path root) {
        return new StateDirectory(root.toAbsolutePath().normalize());
    }

    /** The directory itself. */
    public Path root() {
        return root;
    }

    /** Flink's checkpoint directory, as a URI. */
    public String checkpointsUri() {
        return root.resolve("checkpoints").toUri().toString();
    }

    /** Where a stop writes its savepoint, as a URI. */
    public String savepointsUri() {
        return root.resolve("savepoints").toUri().toString();
    }

    /**
     * The newest restore point: a savepoint or a retained checkpoint (a job killed without a savepoint resumes from
     * its last completed checkpoint), as the directory Flink restores from; empty on a first run.
     */
    public Optional<Path> restorePoint() {
        List<Path> candidates = new ArrayList<>();
        if (!Files.isDirectory(root.resolve("savepoints")) || !Files.isDirectory(root.resolve("checkpoints"))) {
            return Optional.empty();
        }
        try (Stream<Path> savepoints = Files.list(root.resolve("savepoints"));
                Stream<Path> jobs = Files.list(root.resolve("checkpoints"))) {
            savepoints.filter(p -> Files.isRegularFile(p.resolve("_metadata"))).forEach(candidates::add);
            for (Path job : jobs.toList()) {
                if (Files.isDirectory(job)) {
                    try (Stream<Path> checkpoints = Files.list(job)) {
                        checkpoints.filter(p -> p.getFileName().toString().startsWith("chk-"))
                                .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                                .forEach(candidates::add);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state directory " + root + ": " + e.getMessage(), e);
        }
        return candidates.stream().max(Comparator.comparing(StateDirectory::metadataTime));
    }

    /**
     * Why {@code config} cannot resume from this directory's state, or null when it can (or there is no state): the
     * settings that decide what the state means (the frames topic and consumer group its offsets belong to, the
     * network input size of the frames it holds, whether it holds a learner) must be the ones it was written with.
     */
    public String mismatch(StreamingConfig config, String networkSize) {
        Path file = root.resolve(FINGERPRINT);
        if (!Files.isRegularFile(file) || restorePoint().isEmpty()) {
            return null;
        }
        Properties saved = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            saved.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, String> entry : fingerprint(config, networkSize).entrySet()) {
            String was = saved.getProperty(entry.getKey());
            if (was != null && !was.equals(entry.getValue())) {
                return "state directory " + root + " holds a savepoint of a job with " + entry.getKey() + " = " + was
                        + ", this configuration has " + entry.getValue() + ": use another --state-dir, or delete "
                        + root + " to start afresh";
            }
        }
        return null;
    }

    /** Records the settings the state is written with (see {@link #mismatch}). */
    public void remember(StreamingConfig config, String networkSize) {
        Properties properties = new Properties();
        fingerprint(config, networkSize).forEach(properties::setProperty);
        Path file = root.resolve(FINGERPRINT);
        Path temporary = root.resolve(FINGERPRINT + ".tmp");
        try {
            Files.createDirectories(root.resolve("checkpoints"));
            Files.createDirectories(root.resolve("savepoints"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state directory " + root + ": " + e.getMessage(), e);
        }
        try (Writer writer = Files.newBufferedWriter(temporary)) {
            properties.store(writer, "settings the state in this directory was written with");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every savepoint and retained checkpoint except {@code keep}: once a newer restore point exists the older
     * ones would only repeat frames, and frames make checkpoints large.
     */
    public void pruneExcept(Path keep) {
        Path kept = keep.toAbsolutePath().normalize();
        for (String folder : List.of("savepoints", "checkpoints")) {
            try (Stream<Path> entries = Files.list(root.resolve(folder))) {
                for (Path entry : entries.toList()) {
                    if (!kept.startsWith(entry.toAbsolutePath().normalize())) {
                        deleteTree(entry);
                    }
                }
            } catch (IOException e) {
                // a leftover only costs disk space; the newest restore point is still found by its time
            }
        }
    }

    private static Map<String, String> fingerprint(StreamingConfig config, String networkSize) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("kafka.topics.frames", config.kafka().topics().frames());
        keys.put("kafka.group-id", config.kafka().groupId());
        keys.put("network input size", networkSize);
        keys.put("fine-tune.enabled", Boolean.toString(config.fineTune().enabled()));
        return keys;
    }

    private static FileTime metadataTime(Path restorePoint) {
        try {
            return Files.getLastModifiedTime(restorePoint.resolve("_metadata"));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
