package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The on-disk form of a {@link TrainingStep}'s state: {@code optimizer.json} (format, step count, learning rate,
 * Adam's settings, and per trainable parameter its name, shape and update count), {@code optimizer.ndlist}
 * (DJL-encoded arrays m, v of each parameter with at least one update, in the JSON's order) and, with the pretext term on, {@code pretext.ndlist} (the
 * pretext head's parameters and batch-norm statistics in the order the JSON's {@code pretext} list names them).
 */
final class TrainingStateFiles {

    static final String FORMAT = "depthstream-training-state";
    static final int FORMAT_VERSION = 1;
    static final String STATE_FILE = "optimizer.json";
    static final String MOMENTS_FILE = "optimizer.ndlist";
    static final String HEAD_FILE = "pretext.ndlist";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingStateFiles() {}

    /** What a step's state consists of, as live objects. */
    record State(long steps, double learningRate, AdamOptimizer optimizer, Map<String, Parameter> trainable,
            Map<String, Parameter> head) {}

    /** A state read and checked against a step's parameters; its arrays live in their own manager until closed. */
    record Restored(long steps, double learningRate, Map<String, AdamMoments> moments, Map<String, NDArray> head,
            NDManager manager) implements AutoCloseable {
        @Override
        public void close() {
            manager.close();
        }
    }

    private record Entry(String name, Shape shape, long steps) {}

    static void write(Path directory, State state) {
        try {
            Files.createDirectories(directory);
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.put("formatVersion", FORMAT_VERSION);
            root.put("steps", state.steps());
            root.put("learningRate", state.learningRate());
            root.put("beta1", state.optimizer().beta1());
            root.put("beta2", state.optimizer().beta2());
            root.put("epsilon", state.optimizer().epsilon());
            NDList moments = new NDList();
            ArrayNode parameters = root.putArray("parameters");
            Map<String, AdamMoments> updated = state.optimizer().moments();
            for (Map.Entry<String, Parameter> entry : state.trainable().entrySet()) {
                AdamMoments m = updated.get(entry.getKey());
                ObjectNode node = parameters.addObject();
                node.put("name", entry.getKey());
                node.set("shape", JSON.valueToTree(entry.getValue().getArray().getShape().getShape()));
                node.put("steps", m == null ? 0 : m.steps());
                if (m != null) {
                    moments.add(m.first());
                    moments.add(m.second());
                }
            }
            writeArrays(directory.resolve(MOMENTS_FILE), moments);
            if (state.head().isEmpty()) {
                root.putNull("pretext");
                Files.deleteIfExists(directory.resolve(HEAD_FILE));
            } else {
                NDList head = new NDList();
                ArrayNode names = root.putArray("pretext");
                state.head().forEach((name, parameter) -> {
                    ObjectNode node = names.addObject();
                    node.put("name", name);
                    node.set("shape", JSON.valueToTree(parameter.getArray().getShape().getShape()));
                    head.add(parameter.getArray());
                });
                writeArrays(directory.resolve(HEAD_FILE), head);
            }
            // the description last: a directory with it is complete
            Path file = directory.resolve(STATE_FILE);
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            JSON.writeValue(partial.toFile(), root);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InvalidCheckpointException(directory, "cannot write the training state: " + e.getMessage(), e);
        }
    }

    private static void writeArrays(Path file, NDList arrays) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial))) {
            arrays.encode(out);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads a state and checks it against a step's parameters before anything is changed.
     *
     * @param trainable the step's trainable parameters by stable name
     * @param head the step's pretext head parameters by stable name (empty when the term is off)
     */
    static Restored read(Path directory, NDManager parent, Map<String, Parameter> trainable,
            Map<String, Parameter> head) {
        if (!Files.isDirectory(directory)) {
            throw new InvalidCheckpointException(directory, "training state directory does not exist");
        }
        Path file = directory.resolve(STATE_FILE);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            String reason = Files.exists(file) ? "is not valid JSON: " + e.getMessage() : "is missing";
            throw new InvalidCheckpointException(file, reason, e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new InvalidCheckpointException(file, "is not a " + FORMAT + " file");
        }
        int version = root.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new InvalidCheckpointException(file, "format version " + version + " is not supported (expected "
                    + FORMAT_VERSION + ")");
        }
        long steps = root.path("steps").asLong(-1);
        double learningRate = root.path("learningRate").asDouble(Double.NaN);
        if (steps < 0 || !(learningRate > 0)) {
            throw new InvalidCheckpointException(file, "has no valid \"steps\" and \"learningRate\"");
        }
        List<Entry> parameters = entries(file, root.path("parameters"), "parameters");
        Map<String, Shape> expected = new LinkedHashMap<>();
        trainable.forEach((name, parameter) -> expected.put(name, parameter.getArray().getShape()));
        requireSameParameters(file, parameters, expected, "trainable parameter");
        List<Entry> headEntries;
        JsonNode pretext = root.path("pretext");
        if (head.isEmpty()) {
            if (!pretext.isNull() && !pretext.isMissingNode()) {
                throw new InvalidCheckpointException(file, "holds a pretext head, but this run's loss has no pretext"
                        + " term");
            }
            headEntries = List.of();
        } else {
            if (pretext.isNull() || pretext.isMissingNode()) {
                throw new InvalidCheckpointException(file, "holds no pretext head, but this run's loss has the"
                        + " pretext term");
            }
            headEntries = entries(file, pretext, "pretext");
            Map<String, Shape> headShapes = new LinkedHashMap<>();
            head.forEach((name, parameter) -> headShapes.put(name, parameter.getArray().getShape()));
            requireSameParameters(file, headEntries, headShapes, "pretext head parameter");
        }

        NDManager manager = parent.newSubManager();
        try {
            // parameters not updated yet (all updates skipped so far) have no moments
            List<Entry> updated = parameters.stream().filter(entry -> entry.steps() > 0).toList();
            List<NDArray> moments = readArrays(directory.resolve(MOMENTS_FILE), manager, updated, 2);
            Map<String, AdamMoments> restored = new LinkedHashMap<>();
            for (int i = 0; i < updated.size(); i++) {
                Entry entry = updated.get(i);
                restored.put(entry.name(), new AdamMoments(entry.steps(), moments.get(2 * i), moments.get(2 * i + 1)));
            }
            Map<String, NDArray> headValues = new LinkedHashMap<>();
            if (!headEntries.isEmpty()) {
                List<NDArray> values = readArrays(directory.resolve(HEAD_FILE), manager, headEntries, 1);
                for (int i = 0; i < headEntries.size(); i++) {
                    headValues.put(headEntries.get(i).name(), values.get(i));
                }
            }
            return new Restored(steps, learningRate, restored, headValues, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static List<Entry> entries(Path file, JsonNode list, String field) {
        if (!list.isArray()) {
            throw new InvalidCheckpointException(file, "has no \"" + field + "\" list");
        }
        List<Entry> out = new ArrayList<>();
        for (JsonNode node : list) {
            JsonNode shape = node.path("shape");
            if (!node.path("name").isTextual() || !shape.isArray()) {
                throw new InvalidCheckpointException(file, "has an entry of \"" + field + "\" without name and shape: "
                        + node);
            }
            long[] dims = new long[shape.size()];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = shape.get(d).asLong();
            }
            out.add(new Entry(node.get("name").asText(), new Shape(dims), node.path("steps").asLong(0)));
        }
        return out;
    }

    private static void requireSameParameters(Path file, List<Entry> saved, Map<String, Shape> expected,
            String what) {
        Map<String, Shape> seen = new LinkedHashMap<>();
        for (Entry entry : saved) {
            Shape shape = expected.get(entry.name());
            if (shape == null) {
                throw new InvalidCheckpointException(file, "holds " + what + " for " + entry.name()
                        + ", which this model does not have (written for another architecture or loss?)");
            }
            if (!shape.equals(entry.shape())) {
                throw new InvalidCheckpointException(file, what + " " + entry.name() + " has shape " + entry.shape()
                        + " but this model's has " + shape);
            }
            if (seen.put(entry.name(), shape) != null) {
                throw new InvalidCheckpointException(file, "names " + entry.name() + " twice");
            }
        }
        for (String name : expected.keySet()) {
            if (!seen.containsKey(name)) {
                throw new InvalidCheckpointException(file, "has no " + what + " for " + name
                        + " of this model (written for another architecture or loss?)");
            }
        }
    }

    private static List<NDArray> readArrays(Path file, NDManager manager, List<Entry> entries, int perEntry) {
        NDList arrays;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            arrays = NDList.decode(manager, in);
        } catch (NoSuchFileException e) {
            throw new InvalidCheckpointException(file, "is missing", e);
        } catch (IOException | RuntimeException e) {
            throw new InvalidCheckpointException(file, "is corrupt (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
        if (arrays.size() != entries.size() * perEntry) {
            throw new InvalidCheckpointException(file, "holds " + arrays.size() + " arrays but " + STATE_FILE
                    + " describes " + entries.size() * perEntry);
        }
        for (int i = 0; i < arrays.size(); i++) {
            Entry entry = entries.get(i / perEntry);
            if (!arrays.get(i).getShape().equals(entry.shape())) {
                throw new InvalidCheckpointException(file, "array " + i + " (" + entry.name() + ") has shape "
                        + arrays.get(i).getShape() + ", " + STATE_FILE + " says " + entry.shape());
            }
        }
        return new ArrayList<>(arrays);
    }
}
