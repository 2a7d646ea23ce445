package io.depthstream.model.io;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.nn.Block;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * depthstream's native weights format: a directory with {@code config.json} (the {@link ModelConfig} and free-form
 * metadata such as source and training step) and DJL parameter files {@code depth.params} and {@code pose.params}.
 */
public final class ModelWeights {

    /** Identifies the format inside {@code config.json}. */
    public static final String FORMAT = "depthstream-weights";
    /** Bumped when the layout changes incompatibly. */
    public static final int FORMAT_VERSION = 1;
    /** The file holding the format, the {@link ModelConfig} and the metadata; written last by {@link #save}. */
    public static final String CONFIG_FILE = "config.json";
    static final String DEPTH_FILE = "depth.params";
    static final String POSE_FILE = "pose.params";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelWeights() {}

    /**
     * Writes the model into {@code directory} (created if needed; existing weight files are replaced).
     *
     * @param metadata extra facts to keep beside the configuration (JSON-serialisable values)
     */
    public static void save(DepthModel model, Path directory, Map<String, ?> metadata) {
        try {
            Files.createDirectories(directory);
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.put("formatVersion", FORMAT_VERSION);
            root.set("config", configJson(model.config()));
            root.set("metadata", JSON.valueToTree(metadata));
            writeParameters(model.depthNet(), directory.resolve(DEPTH_FILE));
            writeParameters(model.poseNet(), directory.resolve(POSE_FILE));
            // config.json last: a directory with a config is complete
            JSON.writeValue(directory.resolve(CONFIG_FILE).toFile(), root);
        } catch (IOException e) {
            throw new InvalidWeightsException(directory, "cannot write weights: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a weights directory onto a device.
     *
     * @throws InvalidWeightsException naming the path when the directory is missing, incomplete or corrupt
     */
    public static DepthModel load(Path directory, Device device) {
        ModelConfig config = readConfig(directory);
        DepthModel model = DepthModel.forLoading(config, device);
        try {
            readParameters(model.depthNet(), model, directory.resolve(DEPTH_FILE));
            readParameters(model.poseNet(), model, directory.resolve(POSE_FILE));
            model.parametersChanged();
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Reads only the configuration of a weights directory. */
    public static ModelConfig readConfig(Path directory) {
        return parseConfig(readRoot(directory), directory.resolve(CONFIG_FILE));
    }

    /**
     * The configuration in the contents of a {@code config.json} read from elsewhere (another file system).
     *
     * @param file where it was read, for messages
     */
    public static ModelConfig parseConfig(JsonNode root, Path file) {
        JsonNode config = root.get("config");
        if (config == null) {
            throw new InvalidWeightsException(file, "has no \"config\" section");
        }
        try {
            List<Integer> scales = new ArrayList<>();
            config.required("scales").forEach(s -> scales.add(s.asInt()));
            return new ModelConfig(
                    Architecture.parse(config.required("architecture").asText()),
                    config.required("height").asInt(),
                    config.required("width").asInt(),
                    config.required("minDepth").asDouble(),
                    config.required("maxDepth").asDouble(),
                    scales);
        } catch (IllegalArgumentException e) {
            throw new InvalidWeightsException(file, "invalid model configuration: " + e.getMessage(), e);
        }
    }

    /** The free-form metadata saved with the weights (an empty object when there is none). */
    public static JsonNode readMetadata(Path directory) {
        JsonNode metadata = readRoot(directory).get("metadata");
        return metadata == null ? JSON.createObjectNode() : metadata;
    }

    private static JsonNode readRoot(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new InvalidWeightsException(directory, "weights directory does not exist");
        }
        Path file = directory.resolve(CONFIG_FILE);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            String reason = Files.exists(file) ? "is not valid JSON: " + oneLine(e) : "is missing";
            throw new InvalidWeightsException(file, reason, e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new InvalidWeightsException(file, "is not a " + FORMAT + " file");
        }
        int version = root.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new InvalidWeightsException(file, "format version " + version + " is not supported (expected "
                    + FORMAT_VERSION + ")");
        }
        return root;
    }

    /** Jackson's message without the source excerpt it appends on further lines; the line and column kept. */
    private static String oneLine(IOException e) {
        if (e instanceof JsonProcessingException json) {
            JsonLocation at = json.getLocation();
            return json.getOriginalMessage().replaceAll("\\s+", " ")
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        return e.getMessage();
    }

    static ObjectNode configJson(ModelConfig config) {
        ObjectNode node = JSON.createObjectNode();
        node.put("architecture", config.architecture().configName());
        node.put("height", config.height());
        node.put("width", config.width());
        node.put("minDepth", config.minDepth());
        node.put("maxDepth", config.maxDepth());
        node.set("scales", JSON.valueToTree(config.scales()));
        return node;
    }

    private static void writeParameters(Block block, Path file) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial);
                DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out))) {
            block.saveParameters(data);
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void readParameters(Block block, DepthModel model, Path file) {
        try (InputStream in = Files.newInputStream(file);
                DataInputStream data = new DataInputStream(new BufferedInputStream(in))) {
            block.loadParameters(model.manager(), data);
            if (data.read() != -1) {
                throw new InvalidWeightsException(file, "has trailing bytes: not written for this architecture");
            }
        } catch (NoSuchFileException e) {
            throw new InvalidWeightsException(file, "is missing", e);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            if (e instanceof InvalidWeightsException invalid) {
                throw invalid;
            }
            throw new InvalidWeightsException(file, "is corrupt or does not match the configured architecture ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }
}
