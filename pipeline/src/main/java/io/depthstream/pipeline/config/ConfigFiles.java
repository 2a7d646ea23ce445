package io.depthstream.pipeline.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.depthstream.pipeline.kafka.KafkaClientProperties;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads and prints {@link StreamingConfig}s as YAML (JSON is valid YAML), with kebab-case keys. */
public final class ConfigFiles {

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // a key given twice would silently drop the first one's settings
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // batch-size: 8.5 is a mistake to report, not a value to truncate to 8
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
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

    /**
     * The defaults overlaid with a YAML or JSON document's keys.
     *
     * @throws IllegalArgumentException in one line: the syntax error and where it is, the unknown key, or the key
     *     whose value has the wrong type and the type it needs
     */
    public static StreamingConfig parse(String text) {
        JsonNode overlay;
        try {
            overlay = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw new IllegalArgumentException("not valid YAML"
                    + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
                    + ": " + oneLine(e.getOriginalMessage()), e);
        }
        ObjectNode merged = YAML.valueToTree(StreamingConfig.defaults());
        if (overlay != null && !overlay.isMissingNode() && !overlay.isNull()) {
            if (!overlay.isObject()) {
                throw new IllegalArgumentException("expected a mapping of settings at the top level, got "
                        + describe(overlay));
            }
            merge(merged, (ObjectNode) overlay, "");
        }
        try {
            return YAML.treeToValue(merged, StreamingConfig.class);
        } catch (JsonMappingException e) {
            throw typeError(e, merged);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(oneLine(e.getOriginalMessage()), e);
        }
    }

    /** A mapping failure as "key.path: expected TYPE, got VALUE", the path in the file's own spelling. */
    private static IllegalArgumentException typeError(JsonMappingException e, ObjectNode merged) {
        List<String> keys = new ArrayList<>();
        JsonNode value = merged;
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                keys.add(reference.getFieldName());
                value = value == null ? null : value.get(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                keys.add(Integer.toString(reference.getIndex()));
                value = value == null ? null : value.get(reference.getIndex());
            }
        }
        Class<?> target = settingType(keys);
        String key = keys.isEmpty() ? "(top level)" : String.join(".", keys);
        return new IllegalArgumentException(key + ": expected " + expected(target) + ", got "
                + (value == null ? "nothing" : describe(value)), e);
    }

    /** The Java type of the setting at {@code keys} (kebab-case, as in the file), or null when there is none. */
    private static Class<?> settingType(List<String> keys) {
        Class<?> type = StreamingConfig.class;
        for (String key : keys) {
            if (!type.isRecord()) {
                return null;
            }
            String name = camelCase(key);
            Class<?> next = null;
            for (RecordComponent component : type.getRecordComponents()) {
                if (component.getName().equals(name)) {
                    next = component.getType();
                }
            }
            if (next == null) {
                return null;
            }
            type = next;
        }
        return type;
    }

    /** Whether the setting at {@code dottedPath} (kebab-case keys) is a map of free-form entries. */
    private static boolean isMap(String dottedPath) {
        Class<?> type = settingType(List.of(dottedPath.split("\\.")));
        return type != null && Map.class.isAssignableFrom(type);
    }

    private static String camelCase(String kebab) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static String expected(Class<?> target) {
        if (target == null) {
            return "another value";
        }
        if (target == int.class || target == Integer.class) {
            return "an integer in " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE;
        }
        if (target == long.class || target == Long.class) {
            return "an integer in " + Long.MIN_VALUE + ".." + Long.MAX_VALUE;
        }
        if (target == double.class || target == Double.class) {
            return "a number";
        }
        if (target == boolean.class || target == Boolean.class) {
            return "true or false";
        }
        if (target == String.class) {
            return "a text value";
        }
        return "a mapping of settings";
    }

    private static String describe(JsonNode value) {
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isNull()) {
            return "nothing (null)";
        }
        String text = value.isTextual() ? "'" + value.asText() + "'" : value.toString();
        text = oneLine(text);
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /**
     * The configuration as YAML, every key shown, secrets of {@code kafka.properties} redacted: each inline secret is
     * named in a comment line at the top, with how to refer to it instead.
     */
    public static String print(StreamingConfig config) {
        KafkaClientProperties properties = config.kafka().clientProperties();
        ObjectNode tree = YAML.valueToTree(config);
        ObjectNode shown = ((ObjectNode) tree.get("kafka")).putObject("properties");
        properties.redacted().forEach(shown::put);
        StringBuilder text = new StringBuilder();
        for (String key : properties.inlineSecrets()) {
            text.append("# kafka.properties.").append(key).append(" holds a secret inline, printed ")
                    .append(KafkaClientProperties.REDACTED).append(": keep it in a file and refer to it, e.g. ")
                    .append(key).append(": ${file:/etc/depthstream/kafka-secrets.properties:").append(key)
                    .append("} with config.providers: file (docs/DEPLOY.md, \"Secured Kafka\")\n");
        }
        try {
            return text.append(YAML.writeValueAsString(tree)).toString();
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
            if (existing.isObject() && (field.getValue() == null || field.getValue().isNull())) {
                // an emptied section would reach the job as null: it needs its settings or to be left out
                throw new IllegalArgumentException(path + key + ": expected a mapping of settings, got nothing (null)"
                        + "; leave the key out to keep the defaults");
            }
            if (existing.isObject() && field.getValue().isObject() && isMap(path + key)) {
                // a map of free-form entries (Kafka client properties): entries add to or replace the defaults'
                Iterator<Map.Entry<String, JsonNode>> entries = field.getValue().fields();
                while (entries.hasNext()) {
                    Map.Entry<String, JsonNode> entry = entries.next();
                    if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                        throw new IllegalArgumentException(path + key + "." + entry.getKey() + ": expected a text "
                                + "value, got " + describe(entry.getValue()) + " (write property names in full, "
                                + "e.g. ssl.truststore.location: /path)");
                    }
                    ((ObjectNode) existing).put(entry.getKey(), entry.getValue().asText());
                }
            } else if (existing.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) existing, (ObjectNode) field.getValue(), path + key + ".");
            } else {
                base.set(key, field.getValue());
            }
        }
    }
}
