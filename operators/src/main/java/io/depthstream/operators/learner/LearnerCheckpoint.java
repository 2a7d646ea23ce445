package io.depthstream.operators.learner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.Serializable;

/**
 * What the learner keeps in Flink's checkpoint: where it was, not its tensors. The weights and optimizer state live
 * in the model store ({@link ModelStore#saveCheckpoint}), written before the checkpoint completes.
 *
 * @param step training steps taken
 * @param servingVersion the version inference was told to serve last
 * @param stateUri the store directory with the weights and optimizer state at {@code step}, or null before the
 *     first step (the serving version is then the whole state)
 */
public record LearnerCheckpoint(long step, int servingVersion, String stateUri) implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public LearnerCheckpoint {
        if (step < 0 || servingVersion < 0) {
            throw new IllegalArgumentException("step and serving version must not be negative: " + step + ", "
                    + servingVersion);
        }
    }

    /** One line of JSON, the form kept in operator state. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("step", step);
        root.put("serving_version", servingVersion);
        if (stateUri != null) {
            root.put("state_uri", stateUri);
        }
        return root.toString();
    }

    /** Reads {@link #toJson()}'s form. */
    public static LearnerCheckpoint fromJson(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            JsonNode uri = root.get("state_uri");
            return new LearnerCheckpoint(root.get("step").asLong(), root.get("serving_version").asInt(),
                    uri == null || uri.isNull() ? null : uri.asText());
        } catch (IOException | NullPointerException e) {
            throw new IllegalArgumentException("learner checkpoint state is not what this version writes: " + json, e);
        }
    }
}
