package io.depthstream.operators.sink;

import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.inference.DepthResult;
import io.depthstream.operators.inference.ScaleKind;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DepthRecordSerializerTest {

    @Test
    void valueIsA16BitPngOfDepthTimes256() throws Exception {
        float[] depth = {0f, -1f, Float.NaN, 1f, 12.3456f, 300f, 0.001f, 255.99f};
        DepthResult result = SampleResults.result("cam-7", 42, depth, 4, 2, null, new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0},
                ScaleKind.METRIC);

        ProducerRecord<byte[], byte[]> record = new DepthRecordSerializer("depth-out").serialize(result, null, null);

        assertThat(record.topic()).isEqualTo("depth-out");
        assertThat(record.partition()).isNull();
        assertThat(record.timestamp()).isEqualTo(result.captureTimeMs());
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("cam-7");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(record.value()));
        assertThat(png.getType()).isEqualTo(BufferedImage.TYPE_USHORT_GRAY);
        assertThat(png.getWidth()).isEqualTo(4);
        assertThat(png.getHeight()).isEqualTo(2);
        int[] values = png.getRaster().getPixels(0, 0, 4, 2, (int[]) null);
        // invalid → 0; 12.3456·256 = 3160.47; 300·256 saturates; 0.001·256 rounds to 0; 255.99·256 = 65533.44
        assertThat(values).containsExactly(0, 0, 0, 256, 3160, 65535, 0, 65533);

        assertThat(header(record, WireFormat.SEQ)).isEqualTo("42");
        assertThat(header(record, WireFormat.MODEL_VERSION)).isEqualTo("random-lite-7");
        assertThat(header(record, WireFormat.SCALE)).isEqualTo("metric");
        assertThat(header(record, WireFormat.LATENCY_MS)).isEqualTo("120");
        assertThat(header(record, WireFormat.STAGES))
                .startsWith("{\"decode_ms\":0.000,\"resize_ms\":0.000,\"queue_ms\":0.000,\"inference_ms\":0.000,"
                        + "\"batch\":1,\"encode_ms\":")
                .endsWith(",\"emitted_at_ms\":" + result.emittedAtMs() + "}");
    }

    @Test
    void relativeScaleIsNamedSo() {
        ProducerRecord<byte[], byte[]> record = new DepthRecordSerializer("depth")
                .serialize(SampleResults.simple("a", 1, 0), null, 5L);
        assertThat(header(record, WireFormat.SCALE)).isEqualTo("relative");
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        var headers = record.headers().headers(name);
        assertThat(headers).as(name).hasSize(1);
        return new String(headers.iterator().next().value(), StandardCharsets.UTF_8);
    }
}
