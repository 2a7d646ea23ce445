package io.depthstream.model.train;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.DepthModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A training checkpoint: one directory holding the model in the native weights format ({@link ModelWeights}, so it
 * also loads wherever weights do), the {@link TrainingStep}'s state ({@link TrainingStep#saveState}) and
 * {@code progress.json} ({@link CheckpointProgress}).
 *
 * <p>A checkpoint is written into a hidden sibling directory and renamed into place, so a killed writer never
 * leaves a directory that looks complete. Resuming: {@link #restore(Path, Device)} loads the model, the caller
 * builds a {@link TrainingStep} on it with the run's {@link TrainingConfig}, and {@link #restore(Path, TrainingStep)}
 * restores the step's state and returns the progress.
 */
public final class TrainingCheckpoint {

    /** Names the run's position inside a checkpoint; present only in complete checkpoints. */
    public static final String PROGRESS_FILE = "progress.json";
    static final String FORMAT = "depthstream-training-progress";
    static final int FORMAT_VERSION = 1;
    /** Prefix of the directories being written (and of replaced ones being removed): never checkpoints. */
    static final String TEMPORARY_PREFIX = ".";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingCheckpoint() {}

    /**
     * Writes a checkpoint into {@code directory} atomically, replacing any checkpoint already there.
     *
     * @throws IllegalArgumentException when {@code progress} disagrees with the step on step count or learning rate
     * @throws InvalidCheckpointException naming the path when the files cannot be written
     */
    public static void write(Path directory, DepthModel model, TrainingStep step, CheckpointProgress progress) {
        if (progress.step() != step.steps()) {
            throw new IllegalArgumentException("progress is at step " + progress.step() + " but the training step has"
                    + " taken " + step.steps());
        }
        if (Double.compare(progress.learningRate(), step.learningRate()) != 0) {
            throw new IllegalArgumentException("progress has learning rate " + progress.learningRate()
                    + " but the training step uses " + step.learningRate());
        }
        Path target = directory.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Path temporary = parent.resolve(TEMPORARY_PREFIX + target.getFileName() + ".partial-" + UUID.randomUUID());
        try {
            Files.createDirectories(parent);
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("source", "training checkpoint");
            metadata.put("step", progress.step());
            metadata.put("epoch", progress.epoch());
            ModelWeights.save(model, temporary, metadata);
            step.saveState(temporary);
            // progress last: it marks the directory complete
            JSON.writeValue(temporary.resolve(PROGRESS_FILE).toFile(), toJson(progress));
            Path replaced = null;
            if (Files.exists(target)) {
                replaced = parent.resolve(TEMPORARY_PREFIX + target.getFileName() + ".replaced-" + UUID.randomUUID());
                Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            if (replaced != null) {
                deleteRecursively(replaced);
            }
        } catch (IOException | RuntimeException e) {
            try {
                deleteRecursively(temporary);
            } catch (IOException | UncheckedIOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof InvalidCheckpointException invalid) {
                throw invalid;
            }
            if (e instanceof IllegalArgumentException illegal) {
                throw illegal;
            }
            throw new InvalidCheckpointException(target, "cannot write the checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * The complete checkpoint with the highest step among {@code root}'s subdirectories; directories being written,
     * replaced ones and directories without a readable {@code progress.json} are ignored.
     */
    public static Optional<Path> newest(Path root) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children
                    .filter(Files::isDirectory)
                    .filter(dir -> !dir.getFileName().toString().startsWith(TEMPORARY_PREFIX))
                    .flatMap(dir -> readIfComplete(dir).map(progress -> Map.entry(dir, progress.step())).stream())
                    .max(Map.Entry.<Path, Long>comparingByValue()
                            .thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
                    .map(Map.Entry::getKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
    }

    /**
     * The progress of a checkpoint.
     *
     * @throws InvalidCheckpointException naming the file when it is missing or not a progress file
     */
    public static CheckpointProgress read(Path directory) {
        Path file = directory.resolve(PROGRESS_FILE);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            String reason = Files.exists(file) ? "is not valid JSON: " + e.getMessage()
                    : "is missing (not a checkpoint, or one whose writing did not finish)";
            throw new InvalidCheckpointException(file, reason, e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new InvalidCheckpointException(file, "is not a " + FORMAT + " file");
        }
        if (root.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
            throw new InvalidCheckpointException(file, "format version " + root.path("formatVersion")
                    + " is not supported (expected " + FORMAT_VERSION + ")");
        }
        try {
            JsonNode lines = root.required("consumedLines");
            int[] consumed = new int[lines.size()];
            for (int i = 0; i < consumed.length; i++) {
                consumed[i] = lines.get(i).intValue();
            }
            JsonNode best = root.path("bestValidationLoss");
            Map<String, String> extra = new LinkedHashMap<>();
            root.path("extra").fields().forEachRemaining(field -> extra.put(field.getKey(), field.getValue().asText()));
            return new CheckpointProgress(
                    root.required("step").asLong(),
                    root.required("epoch").asInt(),
                    root.required("learningRate").asDouble(),
                    consumed,
                    best.isNumber() ? best.asDouble() : Double.NaN,
                    root.required("seed").asLong(),
                    extra);
        } catch (IllegalArgumentException e) {
            throw new InvalidCheckpointException(file, "invalid progress: " + e.getMessage(), e);
        }
    }

    /**
     * Loads the checkpoint's model (its weights and batch-norm statistics) onto {@code device}; the caller owns it.
     *
     * @throws InvalidCheckpointException naming the path when the directory is not a complete checkpoint
     * @throws io.depthstream.model.io.InvalidWeightsException naming the file when the weights are unusable
     */
    public static DepthModel restore(Path directory, Device device) {
        read(directory);
        return ModelWeights.load(directory, device);
    }

    /**
     * Restores a training step built on the model {@link #restore(Path, Device)} returned (with the run's
     * configuration) to the checkpoint's state, and returns where the run stood.
     *
     * @throws InvalidCheckpointException naming the file when the state is missing, corrupt or does not match the
     *     step's model and loss, or disagrees with the progress
     */
    public static CheckpointProgress restore(Path directory, TrainingStep step) {
        CheckpointProgress progress = read(directory);
        step.restoreState(directory);
        if (step.steps() != progress.step()) {
            throw new InvalidCheckpointException(directory.resolve(TrainingStateFiles.STATE_FILE), "is at step "
                    + step.steps() + " but " + PROGRESS_FILE + " says " + progress.step());
        }
        return progress;
    }

    private static Optional<CheckpointProgress> readIfComplete(Path directory) {
        if (!Files.isRegularFile(directory.resolve(PROGRESS_FILE))) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(directory));
        } catch (InvalidCheckpointException e) {
            return Optional.empty();
        }
    }

    private static ObjectNode toJson(CheckpointProgress progress) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("step", progress.step());
        root.put("epoch", progress.epoch());
        root.put("learningRate", progress.learningRate());
        root.set("consumedLines", JSON.valueToTree(progress.consumedLines()));
        if (Double.isNaN(progress.bestValidationLoss())) {
            root.putNull("bestValidationLoss");
        } else {
            root.put("bestValidationLoss", progress.bestValidationLoss());
        }
        root.put("seed", progress.seed());
        root.set("extra", JSON.valueToTree(progress.extra()));
        return root;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
