package io.depthstream.operators.learner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The value of a {@code model-updates} record: a new model version is ready to serve. JSON, UTF-8:
 * <pre>{"version": "v3", "weights_uri": "s3://bucket/models/v3", "step": 1200,
 *  "created": "2025-06-01T12:00:00.123Z", "validation": {"held_out_loss": 0.1234, "train_loss": 0.1301, …}}</pre>
 * {@code weights_uri} is a version directory of a {@link ModelStore} ({@link ModelStore#load(String, ai.djl.Device)}
 * reads it); {@code validation} holds only the numbers that were measured.
 *
 * @param version the version's name, {@code v<N>}; a higher N is newer (a rollback is published as a new N)
 * @param weightsUri the version directory as a Flink file system path string
 * @param step the learner step the weights were trained to
 * @param created when the version was published
 * @param validation validation numbers by name, finite
 */
public record ModelUpdate(String version, String weightsUri, long step, Instant created,
                          Map<String, Double> validation) implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelUpdate {
        PublishedVersion.parseNumber(version);
        if (!version.startsWith("v")) {
            throw new IllegalArgumentException("model version '" + version + "' must be written v<N>");
        }
        if (weightsUri == null || weightsUri.isBlank()) {
            throw new IllegalArgumentException("weights URI is required");
        }
        if (step < 0) {
            throw new IllegalArgumentException("learner step must not be negative, got " + step);
        }
        if (created == null) {
            throw new IllegalArgumentException("creation time is required");
        }
        Map<String, Double> copy = new LinkedHashMap<>();
        if (validation != null) {
            validation.forEach((name, value) -> {
                if (name == null || value == null || !Double.isFinite(value)) {
                    throw new IllegalArgumentException("validation metric '" + name + "' = " + value
                            + " is not a finite number");
                }
                copy.put(name, value);
            });
        }
        validation = Collections.unmodifiableMap(copy);
    }

    /** The announcement of {@code published}. */
    public static ModelUpdate of(PublishedVersion published) {
        VersionMetrics metrics = published.metrics();
        return new ModelUpdate(published.name(), published.uri(), metrics.step(), metrics.created(),
                metrics.validation());
    }

    /** N of {@code v<N>}: which of two updates is newer. */
    public int versionNumber() {
        return PublishedVersion.parseNumber(version);
    }

    /** The JSON value described above, UTF-8. */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", version);
        root.put("weights_uri", weightsUri);
        root.put("step", step);
        root.put("created", created.toString());
        ObjectNode metrics = root.putObject("validation");
        validation.forEach(metrics::put);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the model update for " + version, e);
        }
    }

    /**
     * Reads the JSON value described above.
     *
     * @throws IllegalArgumentException saying what is wrong when {@code json} is not such a value
     */
    public static ModelUpdate fromJson(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("model update has no value");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("model update is not JSON: " + reason, e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("model update must be a JSON object");
        }
        JsonNode step = root.get("step");
        if (step == null || !step.isIntegralNumber() || !step.canConvertToLong()) {
            throw new IllegalArgumentException("model update needs an integer \"step\"");
        }
        return new ModelUpdate(text(root, "version"), text(root, "weights_uri"), step.asLong(),
                VersionMetrics.instant(root, "created"), VersionMetrics.numbers(root.path("validation"),
                        "validation metric"));
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("model update needs a string \"" + field + "\"");
        }
        return node.asText();
    }
}
