package io.depthstream.operators.learner;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Immutable, numbered model versions under one Flink file system URI: a local directory (a plain path or
 * {@code file://}), or {@code s3://}, {@code hdfs://} and any other scheme Flink's file systems serve where the store
 * is used. Layout:
 * <pre>
 * &lt;store&gt;/v&lt;N&gt;/config.json    native weights ({@link ModelWeights}); metadata.version = "v&lt;N&gt;"
 *              depth.params
 *              pose.params
 *              metrics.json   {@link VersionMetrics}
 *              _COMPLETE      empty, written last
 * </pre>
 * Versions are numbered from 0, the start model the stream serves first; each publication takes the next number
 * after the highest {@code v<N>/} present. A version exists only once its {@code _COMPLETE} marker does: a directory
 * without it (a publisher that crashed or is still copying) is never listed, never {@link #latest()}, never loaded,
 * and its number is never reused. {@code latest} is found by listing the store, so no mutable pointer file can be
 * caught half-written. A version directory is never written into once claimed by another publisher: on a local
 * file system the claim is an atomic directory creation; elsewhere it is an existence check plus files created
 * without overwriting (exclusive on HDFS, last-writer-wins on object stores), which is why a store expects one
 * learner publishing at a time. A failed publication leaves its incomplete directory behind, invisible.
 *
 * <p>The store holds only its location, so it serialises with a job graph; the file system is looked up on use.
 */
public final class ModelStore implements Serializable {

    /** The version's metrics, beside its weights. */
    public static final String METRICS_FILE = "metrics.json";
    /** Written last: a version directory without it is incomplete and invisible. */
    public static final String COMPLETE_MARKER = "_COMPLETE";
    /** The learner's latest counters, overwritten as it goes: for people and reports, never to resolve a version. */
    public static final String LEARNER_STATUS = "learner-status.json";
    /** Where learner checkpoints (weights and optimizer state between versions) live, beside the versions. */
    public static final String CHECKPOINTS = "checkpoints";

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    // at least two letters, so a Windows drive ("C:") reads as a path
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:");

    private final String location;
    private transient Path root;

    /**
     * The store at {@code location}: a URI Flink's file systems understand ({@code s3://bucket/models},
     * {@code file:///data/models}) or a plain local path, relative to the working directory when not absolute.
     * Nothing is read or created yet.
     */
    public ModelStore(String location) {
        this.location = canonical(location).toString();
    }

    /** The store's location as a Flink path string ({@code file:/data/models}, {@code s3://bucket/models}). */
    public String uri() {
        return location;
    }

    @Override
    public String toString() {
        return "model store " + location;
    }

    /** Whether the store's directory exists (a store is created by its first publication). */
    public boolean exists() {
        try {
            return fileSystem().exists(root());
        } catch (IOException e) {
            throw failure("cannot read", e);
        }
    }

    /** The complete versions, by number, ascending; empty when the store does not exist yet. */
    public List<PublishedVersion> versions() {
        List<PublishedVersion> out = new ArrayList<>();
        for (int number : versionNumbers()) {
            version(number).ifPresent(out::add);
        }
        return out;
    }

    /** The complete version with the highest number. */
    public Optional<PublishedVersion> latest() {
        List<Integer> numbers = versionNumbers();
        for (int i = numbers.size() - 1; i >= 0; i--) {
            Optional<PublishedVersion> version = version(numbers.get(i));
            if (version.isPresent()) {
                return version;
            }
        }
        return Optional.empty();
    }

    /** Version {@code number} when it is complete; empty when it is absent or incomplete. */
    public Optional<PublishedVersion> version(int number) {
        Path directory = versionPath(number);
        try {
            if (!fileSystem().exists(new Path(directory, COMPLETE_MARKER))) {
                return Optional.empty();
            }
        } catch (IOException e) {
            throw failure("cannot read", e);
        }
        Path metricsFile = new Path(directory, METRICS_FILE);
        VersionMetrics metrics;
        try (InputStream in = fileSystem().open(metricsFile)) {
            metrics = VersionMetrics.fromJson(JSON.readTree(in));
        } catch (IOException | IllegalArgumentException e) {
            // the marker comes after metrics.json, so this is damage, not a publication in progress
            throw new ModelStoreException(metricsFile + " of a complete version is unreadable: " + e.getMessage(), e);
        }
        return Optional.of(new PublishedVersion(number, directory.toString(), metrics));
    }

    /**
     * Publishes {@code model} as the next version.
     *
     * @throws ModelStoreException when writing fails or another publisher claimed the same number first
     */
    public PublishedVersion publish(DepthModel model, VersionMetrics metrics) {
        return publishAs(nextNumber(), model, metrics);
    }

    /** Publishes {@code model} as version {@code number}, which must not exist in any state. */
    PublishedVersion publishAs(int number, DepthModel model, VersionMetrics metrics) {
        Path directory = versionPath(number);
        claim(directory);
        java.nio.file.Path staging = null;
        try {
            // ModelWeights writes to a local directory; copying from there is the one path every file system shares
            staging = Files.createTempDirectory("depthstream-publish-");
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("version", PublishedVersion.name(number));
            metadata.put("step", metrics.step());
            ModelWeights.save(model, staging, metadata);
            upload(staging, directory);
            complete(directory, metrics);
        } catch (IOException e) {
            throw failure("cannot publish " + PublishedVersion.name(number) + " to", e);
        } finally {
            deleteFlat(staging);
        }
        return new PublishedVersion(number, directory.toString(), metrics);
    }

    /**
     * Publishes the weights of version {@code number} again as the newest version, so that whoever follows the
     * store's latest version serves them again. The parameter files are copied byte for byte; {@code config.json}'s
     * metadata names the new version and {@code rollback_of}; the metrics are those of {@code number} with
     * {@link VersionMetrics#rolledBack}.
     *
     * @throws ModelStoreException when version {@code number} is not a complete version of this store
     */
    public PublishedVersion rollback(int number) {
        PublishedVersion source = require(number);
        int target = nextNumber();
        Path sourceDirectory = versionPath(number);
        Path directory = versionPath(target);
        claim(directory);
        // milliseconds, the resolution of the record timestamp that announces it
        VersionMetrics metrics = source.metrics().rolledBack(number, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        try {
            for (FileStatus file : weightFiles(sourceDirectory)) {
                String name = file.getPath().getName();
                Path destination = new Path(directory, name);
                if (name.equals(ModelWeights.CONFIG_FILE)) {
                    ObjectNode config = readConfig(file.getPath());
                    ObjectNode metadata = config.withObjectProperty("metadata");
                    metadata.put("version", PublishedVersion.name(target));
                    metadata.put("rollback_of", number);
                    write(destination, new ByteArrayInputStream(JSON.writeValueAsBytes(config)));
                } else {
                    try (InputStream in = fileSystem().open(file.getPath())) {
                        write(destination, in);
                    }
                }
            }
            complete(directory, metrics);
        } catch (IOException e) {
            throw failure("cannot roll back to " + source.name() + " in", e);
        }
        return new PublishedVersion(target, directory.toString(), metrics);
    }

    /**
     * Loads version {@code number} onto {@code device}.
     *
     * @throws ModelStoreException when it is not a complete version of this store
     */
    public DepthModel load(int number, Device device) {
        require(number);
        return loadComplete(versionPath(number), device);
    }

    /**
     * Loads the version at {@code versionUri} (a {@link PublishedVersion#uri()}, as a {@code model-updates} record
     * carries it) onto {@code device}, without knowing its store.
     *
     * @throws ModelStoreException when the directory is not a complete version
     */
    public static DepthModel load(String versionUri, Device device) {
        Path directory = canonical(versionUri);
        try {
            if (!directory.getFileSystem().exists(new Path(directory, COMPLETE_MARKER))) {
                throw new ModelStoreException(directory + " is not a complete model version (no " + COMPLETE_MARKER
                        + ")");
            }
        } catch (IOException e) {
            throw new ModelStoreException("cannot read " + directory + ": " + e.getMessage(), e);
        }
        return loadComplete(directory, device);
    }

    /**
     * Copies the files of the flat local directory {@code files} to {@code checkpoints/<name>/} with the completion
     * marker last: the learner's weights and optimizer state at a Flink checkpoint. A checkpoint is never a version
     * and is never listed as one.
     *
     * @return the checkpoint directory's URI, for {@link #fetchCheckpoint}
     * @throws ModelStoreException when writing fails or a checkpoint of that name exists
     */
    public String saveCheckpoint(String name, java.nio.file.Path files) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("checkpoint name '" + name + "' must be letters, digits, '.', '_', '-'");
        }
        Path directory = new Path(new Path(root(), CHECKPOINTS), name);
        claim(directory);
        try {
            upload(files, directory);
            write(new Path(directory, COMPLETE_MARKER), InputStream.nullInputStream());
        } catch (IOException e) {
            throw failure("cannot write checkpoint " + name + " to", e);
        }
        return directory.toString();
    }

    /**
     * A new local temporary directory holding the files of the checkpoint at {@code uri}; the caller deletes it.
     *
     * @throws ModelStoreException when the checkpoint is missing or incomplete
     */
    public static java.nio.file.Path fetchCheckpoint(String uri) {
        Path directory = canonical(uri);
        java.nio.file.Path local = null;
        try {
            FileSystem fs = directory.getFileSystem();
            if (!fs.exists(new Path(directory, COMPLETE_MARKER))) {
                throw new ModelStoreException(directory + " is not a complete learner checkpoint (no " + COMPLETE_MARKER
                        + ")");
            }
            local = Files.createTempDirectory("depthstream-checkpoint-");
            download(directory, local);
            return local;
        } catch (IOException e) {
            deleteLocal(local);
            throw new ModelStoreException("cannot read learner checkpoint " + directory + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteLocal(local);
            throw e;
        }
    }

    /**
     * Deletes the learner checkpoints other than the {@code keep} newest (by modification time) and
     * {@code protectedUri}; old checkpoints are only needed until a newer Flink checkpoint has completed.
     */
    public void pruneCheckpoints(int keep, String protectedUri) {
        Path directory = new Path(root(), CHECKPOINTS);
        try {
            FileSystem fs = fileSystem();
            if (!fs.exists(directory)) {
                return;
            }
            List<FileStatus> all = new ArrayList<>(List.of(fs.listStatus(directory)));
            all.sort(Comparator.comparingLong(FileStatus::getModificationTime).reversed());
            String kept = protectedUri == null ? null : canonical(protectedUri).toString();
            for (int i = keep; i < all.size(); i++) {
                Path path = all.get(i).getPath();
                if (!path.toString().equals(kept)) {
                    fs.delete(path, true);
                }
            }
        } catch (IOException e) {
            // an old checkpoint left behind costs disk space, not correctness
        }
    }

    /** Replaces {@value #LEARNER_STATUS} with {@code json} (best effort: a status that cannot be written is skipped). */
    public void writeLearnerStatus(String json) {
        Path file = new Path(root(), LEARNER_STATUS);
        try (FSDataOutputStream out = fileSystem().create(file, FileSystem.WriteMode.OVERWRITE)) {
            out.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            // reporting only: the versions and checkpoints are what matter
        }
    }

    /** The learner's last written status, if any. */
    public Optional<JsonNode> learnerStatus() {
        Path file = new Path(root(), LEARNER_STATUS);
        try {
            FileSystem fs = fileSystem();
            if (!fs.exists(file)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(file)) {
                return Optional.ofNullable(JSON.readTree(in));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Deletes a local temporary directory made by {@link #fetchCheckpoint}. */
    public static void deleteLocal(java.nio.file.Path directory) {
        deleteFlat(directory);
    }

    /** The files of version {@code number} and their sizes in bytes, by name. */
    public SortedMap<String, Long> files(int number) {
        require(number);
        SortedMap<String, Long> out = new TreeMap<>();
        try {
            for (FileStatus status : fileSystem().listStatus(versionPath(number))) {
                if (!status.isDir()) {
                    out.put(status.getPath().getName(), status.getLen());
                }
            }
        } catch (IOException e) {
            throw failure("cannot list " + PublishedVersion.name(number) + " in", e);
        }
        return out;
    }

    /** The weights' {@code config.json} of version {@code number}: format, model configuration and metadata. */
    public ObjectNode weightsConfig(int number) {
        require(number);
        try {
            return readConfig(new Path(versionPath(number), ModelWeights.CONFIG_FILE));
        } catch (IOException e) {
            throw failure("cannot read " + PublishedVersion.name(number) + " in", e);
        }
    }

    /** The model configuration of version {@code number}, read without loading its weights. */
    public ModelConfig modelConfig(int number) {
        return ModelWeights.parseConfig(weightsConfig(number),
                java.nio.file.Path.of(new Path(versionPath(number), ModelWeights.CONFIG_FILE).toString()));
    }

    /** The number the next publication takes: one above the highest {@code v<N>/}, complete or not; 0 at first. */
    int nextNumber() {
        List<Integer> numbers = versionNumbers();
        return numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1) + 1;
    }

    /** Every {@code v<N>/} directory's number, complete or not, ascending. */
    private List<Integer> versionNumbers() {
        FileStatus[] entries;
        try {
            FileSystem fs = fileSystem();
            // file systems disagree on listing a missing directory (null, an exception, or a failure of their own)
            if (!fs.exists(root())) {
                return List.of();
            }
            entries = fs.listStatus(root());
        } catch (FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            throw failure("cannot list", e);
        }
        if (entries == null) {
            // removed since the check
            return List.of();
        }
        List<Integer> numbers = new ArrayList<>();
        for (FileStatus entry : entries) {
            int number = PublishedVersion.directoryNumber(entry.getPath().getName());
            if (entry.isDir() && number >= 0) {
                numbers.add(number);
            }
        }
        numbers.sort(Comparator.naturalOrder());
        return numbers;
    }

    private PublishedVersion require(int number) {
        return version(number).orElseThrow(() -> new ModelStoreException(
                "no complete version " + PublishedVersion.name(number) + " in model store " + location
                        + " (versions: " + names() + ")"));
    }

    private String names() {
        List<PublishedVersion> versions = versions();
        return versions.isEmpty() ? "none"
                : String.join(", ", versions.stream().map(PublishedVersion::name).toList());
    }

    /** Creates {@code directory}, failing when it exists: two publishers never share a version. */
    private void claim(Path directory) {
        String taken = "version " + directory.getName() + " already exists in model store " + location
                + " (another publisher claimed it); nothing was overwritten";
        try {
            if (isLocal(directory)) {
                java.nio.file.Path local = localFile(directory);
                Files.createDirectories(local.getParent());
                Files.createDirectory(local);
            } else {
                FileSystem fs = fileSystem();
                if (fs.exists(directory)) {
                    throw new ModelStoreException(taken);
                }
                if (!fs.mkdirs(directory)) {
                    throw new IOException("mkdirs returned false for " + directory);
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw new ModelStoreException(taken, e);
        } catch (IOException e) {
            throw failure("cannot create " + directory.getName() + " in", e);
        }
    }

    private void complete(Path directory, VersionMetrics metrics) throws IOException {
        write(new Path(directory, METRICS_FILE), new ByteArrayInputStream(JSON.writeValueAsBytes(metrics.toJson())));
        write(new Path(directory, COMPLETE_MARKER), InputStream.nullInputStream());
    }

    private void write(Path file, InputStream content) throws IOException {
        try (FSDataOutputStream out = fileSystem().create(file, FileSystem.WriteMode.NO_OVERWRITE)) {
            content.transferTo(out);
            if (isLocal(file)) {
                // the marker must not reach the disk before the files it vouches for; object stores publish an
                // object only once it is fully uploaded, and their streams may not support sync
                out.sync();
            }
        }
    }

    /** A version's files except the store's own (metrics and marker): what the weights format consists of. */
    private List<FileStatus> weightFiles(Path directory) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        for (FileStatus status : fileSystem().listStatus(directory)) {
            String name = status.getPath().getName();
            if (!status.isDir() && !name.equals(METRICS_FILE) && !name.equals(COMPLETE_MARKER)) {
                out.add(status);
            }
        }
        out.sort(Comparator.comparing(status -> status.getPath().getName()));
        return out;
    }

    private ObjectNode readConfig(Path file) throws IOException {
        FileSystem fs = file.getFileSystem();
        try (InputStream in = fs.open(file)) {
            JsonNode node = JSON.readTree(in);
            if (node == null || !node.isObject()) {
                throw new IOException(file + " is not a JSON object");
            }
            return (ObjectNode) node;
        }
    }

    private static DepthModel loadComplete(Path directory, Device device) {
        if (isLocal(directory)) {
            return ModelWeights.load(localFile(directory), device);
        }
        java.nio.file.Path staging = null;
        try {
            // DJL reads parameters from local files only
            staging = Files.createTempDirectory("depthstream-load-");
            download(directory, staging);
            return ModelWeights.load(staging, device);
        } catch (IOException e) {
            throw new ModelStoreException("cannot copy " + directory + " to a local directory: " + e.getMessage(), e);
        } finally {
            deleteFlat(staging);
        }
    }

    /** Writes every file of the flat local directory {@code local} into {@code directory}, in name order. */
    private void upload(java.nio.file.Path local, Path directory) throws IOException {
        List<java.nio.file.Path> files;
        try (Stream<java.nio.file.Path> listing = Files.list(local)) {
            files = listing.filter(Files::isRegularFile).sorted().toList();
        }
        for (java.nio.file.Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                write(new Path(directory, file.getFileName().toString()), in);
            }
        }
    }

    /** Copies the files of {@code directory} except the store's own (metrics and marker) into {@code local}. */
    private static void download(Path directory, java.nio.file.Path local) throws IOException {
        FileSystem fs = directory.getFileSystem();
        for (FileStatus status : fs.listStatus(directory)) {
            String name = status.getPath().getName();
            if (status.isDir() || name.equals(METRICS_FILE) || name.equals(COMPLETE_MARKER)) {
                continue;
            }
            try (InputStream in = fs.open(status.getPath())) {
                Files.copy(in, local.resolve(name));
            }
        }
    }

    private static void deleteFlat(java.nio.file.Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<java.nio.file.Path> files = Files.list(directory)) {
            for (java.nio.file.Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // a leftover in the temporary directory is harmless; the operation itself succeeded or already failed
        }
    }

    private Path root() {
        if (root == null) {
            root = new Path(location);
        }
        return root;
    }

    private Path versionPath(int number) {
        return new Path(root(), PublishedVersion.name(number));
    }

    private FileSystem fileSystem() {
        try {
            return root().getFileSystem();
        } catch (IOException e) {
            throw failure("cannot open", e);
        }
    }

    private ModelStoreException failure(String what, IOException e) {
        return new ModelStoreException(what + " model store " + location + ": " + e, e);
    }

    private static boolean isLocal(Path path) {
        return "file".equals(path.toUri().getScheme());
    }

    private static java.nio.file.Path localFile(Path path) {
        return java.nio.file.Path.of(path.toUri().getPath());
    }

    /** A location as a Flink path: local paths absolute under {@code file:}, other URIs as given. */
    private static Path canonical(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("a model store location is required (a directory or a URI)");
        }
        String trimmed = location.trim();
        if (!SCHEME.matcher(trimmed).lookingAt()) {
            return localPath(java.nio.file.Path.of(trimmed));
        }
        Path path;
        try {
            path = new Path(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + location + "' is not a file system URI: " + e.getMessage(), e);
        }
        if (isLocal(path)) {
            String host = path.toUri().getAuthority();
            if (host != null && !host.isEmpty()) {
                throw new IllegalArgumentException("'" + location + "' names a host; a file: URI is local "
                        + "(write file:///path)");
            }
            return localPath(localFile(path));
        }
        return path;
    }

    private static Path localPath(java.nio.file.Path path) {
        // the three-part constructor encodes the path once and drops a trailing slash, so every spelling of one
        // directory gives the same store URI
        return new Path("file", null, path.toAbsolutePath().normalize().toString());
    }
}
