package io.depthstream.model.io;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A trained model that ships inside depthstream (the repository's {@code models/<directory>/}, packed into the jar
 * under {@code depthstream/models/}): a {@code config.json} as native weights have, and {@link PackedWeights}.
 */
public enum ShippedModel {

    /** {@code lite} trained with depthstream's own {@code train} on synthetic drives (models/lite-synthetic). */
    SYNTHETIC("synthetic", "lite-synthetic");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String initName;
    private final String directory;

    ShippedModel(String initName, String directory) {
        this.initName = initName;
        this.directory = directory;
    }

    /** The name that selects it ({@code --init synthetic}, {@code model.init: synthetic}). */
    public String initName() {
        return initName;
    }

    /** The version its results carry, e.g. {@code lite-synthetic}. */
    public String version() {
        return directory;
    }

    /** The shipped model called {@code name}, or null when none is. */
    public static ShippedModel byName(String name) {
        for (ShippedModel model : values()) {
            if (model.initName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
                return model;
            }
        }
        return null;
    }

    /** The names {@link #byName} accepts, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(ShippedModel::initName).collect(Collectors.joining(", "));
    }

    /** Its architecture, input size and depth range. */
    public ModelConfig config() {
        return ModelWeights.parseConfig(root(), location(ModelWeights.CONFIG_FILE));
    }

    /** The provenance and measurements stored with it ({@code config.json}'s {@code metadata}). */
    public JsonNode metadata() {
        JsonNode metadata = root().get("metadata");
        return metadata == null ? JSON.createObjectNode() : metadata;
    }

    /** A new model on {@code device} with the shipped parameters (the caller closes it). */
    public DepthModel load(Device device) {
        DepthModel model = DepthModel.forLoading(config(), device);
        try (InputStream in = open(PackedWeights.FILE)) {
            PackedWeights.read(in, model, location(PackedWeights.FILE));
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new UncheckedIOException((IOException) e);
        }
    }

    private JsonNode root() {
        try (InputStream in = open(ModelWeights.CONFIG_FILE)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new InvalidWeightsException(location(ModelWeights.CONFIG_FILE), "cannot be read: " + e.getMessage(), e);
        }
    }

    private InputStream open(String file) {
        String resource = "/depthstream/models/" + directory + "/" + file;
        InputStream in = ShippedModel.class.getResourceAsStream(resource);
        if (in == null) {
            throw new InvalidWeightsException(location(file), "is not on the class path: this build was made "
                    + "without the repository's models/ folder");
        }
        return in;
    }

    private Path location(String file) {
        return Path.of("models", directory, file);
    }
}
