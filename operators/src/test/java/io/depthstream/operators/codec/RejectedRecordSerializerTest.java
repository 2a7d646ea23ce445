package io.depthstream.operators.codec;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RejectedRecordSerializerTest {

    private static final byte[] KEY = "cam-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] IMAGE = new byte[5000];

    private static RejectedRecord rejected() {
        return new RejectedRecord(KEY, IMAGE,
                new WireHeader[] {new WireHeader(WireFormat.SEQ, "7".getBytes(StandardCharsets.UTF_8))}, 1000L,
                "image is not a PNG or JPEG image (5000 bytes)", "frames/0/3");
    }

    @Test
    void withoutValuesADeadLetterKeepsKeyHeadersAndReasonButNotTheImage() {
        ProducerRecord<byte[], byte[]> dlq = new RejectedRecordSerializer("frames-dlq", false)
                .serialize(rejected(), null, null);

        assertThat(dlq.value()).isNull();
        assertThat(dlq.key()).isEqualTo(KEY);
        assertThat(new String(dlq.headers().lastHeader(WireFormat.SEQ).value(), StandardCharsets.UTF_8))
                .isEqualTo("7");
        assertThat(new String(dlq.headers().lastHeader(WireFormat.SOURCE).value(), StandardCharsets.UTF_8))
                .isEqualTo("frames/0/3");
        assertThat(new String(dlq.headers().lastHeader(WireFormat.ERROR).value(), StandardCharsets.UTF_8))
                .isEqualTo("image is not a PNG or JPEG image (5000 bytes) [value of 5000 bytes not kept: "
                        + "kafka.dlq-value is drop]");
    }

    @Test
    void byDefaultADeadLetterKeepsTheValue() {
        ProducerRecord<byte[], byte[]> dlq = new RejectedRecordSerializer("frames-dlq").serialize(rejected(), null,
                null);

        assertThat(dlq.value()).isEqualTo(IMAGE);
        assertThat(new String(dlq.headers().lastHeader(WireFormat.ERROR).value(), StandardCharsets.UTF_8))
                .isEqualTo("image is not a PNG or JPEG image (5000 bytes)");
    }
}
