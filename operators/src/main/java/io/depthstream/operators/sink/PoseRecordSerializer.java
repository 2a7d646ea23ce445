package io.depthstream.operators.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.operators.inference.DepthResult;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Depth results as records of the {@code poses} topic: key = camera id (UTF-8), value = one JSON object
 * <pre>{"camera": "cam0", "seq": 42, "capture_time_ms": 1700000000000, "model_version": "…",
 *  "relative_pose": {"axis_angle": [rx, ry, rz], "translation": [tx, ty, tz]} | null,
 *  "T_world_cam": [12 numbers, row-major 3×4], "scale": "relative" | "metric"}</pre>
 * where {@code relative_pose} is the motion prev→cur (the pose of the current camera in the previous camera's
 * coordinates, conventions in {@link DepthResult}), null without a previous frame, and {@code T_world_cam} the
 * accumulated camera-to-world pose (a KITTI odometry line). Record timestamp = the frame's capture time.
 */
public final class PoseRecordSerializer implements KafkaRecordSerializationSchema<DepthResult> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;

    /** Records for {@code topic}. */
    public PoseRecordSerializer(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("poses topic must not be blank");
        }
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DepthResult result, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, result.captureTimeMs(),
                result.cameraId().getBytes(StandardCharsets.UTF_8), json(result));
    }

    /** The JSON value for one result, UTF-8. */
    public static byte[] json(DepthResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("camera", result.cameraId());
        root.put("seq", result.seq());
        root.put("capture_time_ms", result.captureTimeMs());
        root.put("model_version", result.modelVersion());
        float[] motion = result.posePrevToCur();
        if (motion == null) {
            root.putNull("relative_pose");
        } else {
            ObjectNode pose = root.putObject("relative_pose");
            ArrayNode axisAngle = pose.putArray("axis_angle");
            ArrayNode translation = pose.putArray("translation");
            for (int i = 0; i < 3; i++) {
                axisAngle.add(motion[i]);
                translation.add(motion[3 + i]);
            }
        }
        ArrayNode worldFromCamera = root.putArray("T_world_cam");
        for (double value : result.worldFromCamera()) {
            worldFromCamera.add(value);
        }
        root.put("scale", result.scale().wireName());
        ObjectNode intrinsics = root.putObject("intrinsics");
        intrinsics.put("fx", result.intrinsics().fx());
        intrinsics.put("fy", result.intrinsics().fy());
        intrinsics.put("cx", result.intrinsics().cx());
        intrinsics.put("cy", result.intrinsics().cy());
        intrinsics.put("width", result.width());
        intrinsics.put("height", result.height());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write pose JSON for " + result.cameraId() + "/" + result.seq(), e);
        }
    }
}
