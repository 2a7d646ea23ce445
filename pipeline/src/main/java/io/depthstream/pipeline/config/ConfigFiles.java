package io.depthstream.pipeline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/** Reads and prints {@link StreamingConfig}s as YAML (JSON is valid YAML), with kebab-case keys. */
public final class ConfigFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private ConfigFiles() {}

    /**
     * The defaults overlaid with a file's keys: a file need only name what it changes.
     *
     * @throws IllegalArgumentException naming the file and the key when it cannot be read or has unknown keys
     */
    public static StreamingConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config " + file + ": " + e.getMessage(), e);
        }
    }

    /** The defaults overlaid with a YAML or JSON document's keys. */
    public static StreamingConfig parse(String text) {
        try {
            JsonNode overlay = YAML.readTree(text);
            ObjectNode merged = YAML.valueToTree(StreamingConfig.defaults());
            if (overlay != null && !overlay.isMissingNode() && !overlay.isNull()) {
                if (!overlay.isObject()) {
                    throw new IllegalArgumentException("expected a mapping of settings at the top level");
                }
                merge(merged, (ObjectNode) overlay, "");
            }
            return YAML.treeToValue(merged, StreamingConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    /** The configuration as YAML, every key shown. */
    public static String print(StreamingConfig config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void merge(ObjectNode base, ObjectNode overlay, String path) {
        Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            JsonNode existing = base.get(key);
            if (existing == null) {
                throw new IllegalArgumentException("unknown setting '" + path + key + "'; known here: "
                        + String.join(", ", (Iterable<String>) base::fieldNames));
            }
            if (existing.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) existing, (ObjectNode) field.getValue(), path + key + ".");
            } else {
                base.set(key, field.getValue());
            }
        }
    }
}
