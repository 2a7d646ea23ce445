package io.depthstream.operators.learner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the model store keeps beside each version's weights ({@code metrics.json}), as JSON:
 * <pre>{"step": 1200, "held_out_loss": 0.1234 | null, "train_loss": 0.1301 | null,
 *  "created": "2025-06-01T12:00:00.123Z", "parent": 2 | null, "rollback_of": 1 | null, "extra": {"name": 0.5, …}}</pre>
 * An unknown loss is NaN here and null in JSON (JSON has no NaN).
 *
 * @param step the learner step the weights were trained to (0 for a start model)
 * @param heldOutLoss photometric loss on held-out recent triplets, the number publication is gated on; NaN when
 *     not measured
 * @param trainLoss mean training loss of the steps since the parent version; NaN when not measured
 * @param created when the version was published
 * @param parent the version these weights were fine-tuned from; null for a start model
 * @param rollbackOf for a rollback, the version whose weights this one republishes; null otherwise
 * @param extra further validation numbers by name (finite values; a number that is unknown is left out)
 */
public record VersionMetrics(long step, double heldOutLoss, double trainLoss, Instant created, Integer parent,
                             Integer rollbackOf, Map<String, Double> extra) implements Serializable {

    private static final long serialVersionUID = 1L;

    public VersionMetrics {
        if (step < 0) {
            throw new IllegalArgumentException("learner step must not be negative, got " + step);
        }
        if (created == null) {
            throw new IllegalArgumentException("creation time is required");
        }
        if (parent != null && parent < 0) {
            throw new IllegalArgumentException("parent version must not be negative, got " + parent);
        }
        if (rollbackOf != null && rollbackOf < 0) {
            throw new IllegalArgumentException("rolled-back version must not be negative, got " + rollbackOf);
        }
        TreeMap<String, Double> sorted = new TreeMap<>();
        if (extra != null) {
            extra.forEach((name, value) -> {
                if (name == null || name.isBlank() || value == null || !Double.isFinite(value)) {
                    throw new IllegalArgumentException("extra metric '" + name + "' = " + value
                            + ": names must be non-blank and values finite");
                }
                sorted.put(name, value);
            });
        }
        // sorted, so metrics.json and the model-updates record list them in a stable order
        extra = Collections.unmodifiableSortedMap(sorted);
    }

    /** Metrics of a version trained to {@code step}, with no parent, no rollback and no extra numbers. */
    public static VersionMetrics of(long step, double heldOutLoss, double trainLoss, Instant created) {
        return new VersionMetrics(step, heldOutLoss, trainLoss, created, null, null, Map.of());
    }

    /** The same metrics for weights fine-tuned from version {@code parentVersion}. */
    public VersionMetrics withParent(int parentVersion) {
        return new VersionMetrics(step, heldOutLoss, trainLoss, created, parentVersion, rollbackOf, extra);
    }

    /**
     * The metrics of a rollback to the version these metrics belong to: the same weights, so the same step,
     * losses and parent, but a new creation time and {@code rollbackOf = version}.
     */
    public VersionMetrics rolledBack(int version, Instant when) {
        return new VersionMetrics(step, heldOutLoss, trainLoss, when, parent, version, extra);
    }

    /** The validation numbers by name, as the {@code model-updates} record carries them: known losses and extras. */
    public Map<String, Double> validation() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (Double.isFinite(heldOutLoss)) {
            out.put("held_out_loss", heldOutLoss);
        }
        if (Double.isFinite(trainLoss)) {
            out.put("train_loss", trainLoss);
        }
        out.putAll(extra);
        return Collections.unmodifiableMap(out);
    }

    /** The JSON document described above. */
    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("step", step);
        putLoss(root, "held_out_loss", heldOutLoss);
        putLoss(root, "train_loss", trainLoss);
        root.put("created", created.toString());
        if (parent == null) {
            root.putNull("parent");
        } else {
            root.put("parent", parent);
        }
        if (rollbackOf == null) {
            root.putNull("rollback_of");
        } else {
            root.put("rollback_of", rollbackOf);
        }
        ObjectNode extras = root.putObject("extra");
        extra.forEach(extras::put);
        return root;
    }

    /**
     * Reads the JSON document described above.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static VersionMetrics fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("version metrics must be a JSON object");
        }
        JsonNode step = root.get("step");
        if (step == null || !step.canConvertToLong() || !step.isIntegralNumber()) {
            throw new IllegalArgumentException("version metrics need an integer \"step\"");
        }
        Map<String, Double> extra = numbers(root.path("extra"), "extra metric");
        return new VersionMetrics(step.asLong(), loss(root, "held_out_loss"), loss(root, "train_loss"),
                instant(root, "created"), version(root, "parent"), version(root, "rollback_of"), extra);
    }

    /** The fields of a JSON object of numbers, in order; {@code what} names a field in the error. */
    static Map<String, Double> numbers(JsonNode object, String what) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!field.getValue().isNumber()) {
                throw new IllegalArgumentException(what + " \"" + field.getKey() + "\" is not a number");
            }
            out.put(field.getKey(), field.getValue().asDouble());
        }
        return out;
    }

    static Instant instant(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an ISO-8601 instant string");
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not an ISO-8601 instant: " + node.asText(), e);
        }
    }

    private static void putLoss(ObjectNode root, String field, double value) {
        if (Double.isFinite(value)) {
            root.put(field, value);
        } else {
            root.putNull(field);
        }
    }

    private static double loss(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Double.NaN;
        }
        if (!node.isNumber()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a number or null");
        }
        return node.asDouble();
    }

    private static Integer version(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a version number or null");
        }
        return node.asInt();
    }
}
