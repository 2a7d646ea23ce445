package io.depthstream.operators.codec;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frames wire format as FrameRecordEncoder writes it (tested here, beside the replay that uses it). */
class FrameRecordEncoderTest {

    private static final byte[] PNG = new RgbImage(4, 2, new byte[4 * 2 * 3]).encodePng();
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10};

    @Test
    void writesKeyValueTimestampAndHeaders() {
        byte[] semantic = new RgbImage(4, 2, new byte[24]).encodePng();
        ProducerRecord<byte[], byte[]> record = new FrameRecordEncoder().encode("cam-7", 473, 1_316_995_200_123L,
                new Intrinsics(721.5377, 721.5377, 609.5593, 172.854), PNG, semantic);

        assertThat(record.topic()).isEqualTo(WireFormat.FRAMES_TOPIC);
        assertThat(record.partition()).isNull();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("cam-7");
        assertThat(record.value()).isSameAs(PNG);
        assertThat(record.timestamp()).isEqualTo(1_316_995_200_123L);
        assertThat(text(record.headers().lastHeader(WireFormat.SEQ))).isEqualTo("473");
        assertThat(text(record.headers().lastHeader(WireFormat.INTRINSICS)))
                .isEqualTo("{\"fx\":721.5377,\"fy\":721.5377,\"cx\":609.5593,\"cy\":172.854}");
        assertThat(record.headers().lastHeader(WireFormat.SEMANTIC).value()).isEqualTo(semantic);
        assertThat(record.headers().toArray()).hasSize(3);
    }

    @Test
    void optionalHeadersAreLeftOutAndJpegIsAccepted() {
        ProducerRecord<byte[], byte[]> record = new FrameRecordEncoder("camera-frames").encode("cam", 0, 0, null,
                JPEG, null);
        assertThat(record.topic()).isEqualTo("camera-frames");
        assertThat(record.headers().toArray()).extracting(Header::key).containsExactly(WireFormat.SEQ);
    }

    @Test
    void refusesWhatBreaksTheWireFormat() {
        FrameRecordEncoder encoder = new FrameRecordEncoder();
        Intrinsics k = new Intrinsics(10, 10, 2, 1);
        assertThatThrownBy(() -> encoder.encode("", 0, 0, k, PNG, null)).hasMessageContaining("camera id");
        assertThatThrownBy(() -> encoder.encode("cam", -1, 0, k, PNG, null)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> encoder.encode("cam", 0, -5, k, PNG, null)).hasMessageContaining("capture time");
        assertThatThrownBy(() -> encoder.encode("cam", 0, 0, k, "GIF89a".getBytes(StandardCharsets.US_ASCII), null))
                .hasMessageContaining("PNG or JPEG");
        assertThatThrownBy(() -> encoder.encode("cam", 0, 0, k, PNG, JPEG)).hasMessageContaining("semantic map");
        assertThatThrownBy(() -> encoder.encode("cam", 0, 0, new Intrinsics(Double.NaN, 1, 1, 1), PNG, null))
                .hasMessageContaining("finite");
        byte[] huge = new byte[WireFormat.MAX_RECORD_BYTES];
        System.arraycopy(PNG, 0, huge, 0, 8);
        assertThatThrownBy(() -> encoder.encode("cam", 3, 0, k, huge, null))
                .hasMessageContaining("frame 3 of camera cam is " + (huge.length + 3) + " bytes");
    }

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
