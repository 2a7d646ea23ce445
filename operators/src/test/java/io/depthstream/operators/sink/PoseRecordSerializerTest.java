package io.depthstream.operators.sink;

import io.depthstream.operators.inference.DepthResult;
import io.depthstream.operators.inference.ScaleKind;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoseRecordSerializerTest {

    @Test
    void valueIsTheDocumentedJson() {
        DepthResult result = SampleResults.result("cam-7", 42, new float[] {1}, 1, 1,
                new float[] {0.5f, -0.25f, 0.125f, 1.5f, 0f, 2f},
                new double[] {1, 0, 0, 10.5, 0, 1, 0, -2.25, 0, 0, 1, 3}, ScaleKind.METRIC);

        ProducerRecord<byte[], byte[]> record = new PoseRecordSerializer("poses").serialize(result, null, null);

        assertThat(record.topic()).isEqualTo("poses");
        assertThat(record.timestamp()).isEqualTo(1_700_000_000_042L);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("cam-7");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"camera\":\"cam-7\",\"seq\":42,\"capture_time_ms\":1700000000042,\"model_version\":\"random-lite-7\","
                        + "\"relative_pose\":{\"axis_angle\":[0.5,-0.25,0.125],\"translation\":[1.5,0.0,2.0]},"
                        + "\"T_world_cam\":[1.0,0.0,0.0,10.5,0.0,1.0,0.0,-2.25,0.0,0.0,1.0,3.0],\"scale\":\"metric\","
                        + "\"intrinsics\":{\"fx\":0.58,\"fy\":1.92,\"cx\":0.5,\"cy\":0.5,\"width\":1,\"height\":1}}");
    }

    @Test
    void aMissingPreviousFrameGivesANullRelativePose() {
        String json = new String(PoseRecordSerializer.json(SampleResults.simple("cam", 0, 0)), StandardCharsets.UTF_8);
        assertThat(json).contains("\"relative_pose\":null").contains("\"scale\":\"relative\"");
    }

    @Test
    void aBlankTopicIsRejected() {
        assertThatThrownBy(() -> new PoseRecordSerializer(" ")).hasMessageContaining("topic");
        assertThatThrownBy(() -> new DepthRecordSerializer("")).hasMessageContaining("topic");
    }
}
