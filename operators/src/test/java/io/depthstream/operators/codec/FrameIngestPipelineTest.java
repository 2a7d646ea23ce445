package io.depthstream.operators.codec;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.operators.schedule.DecodeLayout;
import io.depthstream.operators.triplet.Triplet;
import io.depthstream.operators.triplet.TripletAssembler;
import io.depthstream.operators.triplet.TripletTiming;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The ingest operators composed as the streaming job composes them, on a Flink MiniCluster with a bounded input:
 * decode (in either layout, records decoded on several threads and kept in order) → watermarks → keyBy(camera) → triplets, bad records on the side output, and the end of input flushing
 * every buffered frame.
 */
class FrameIngestPipelineTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static long offset = 0;

    private static IncomingFrame frame(String camera, long seq, byte[] value) {
        WireHeader[] headers = {new WireHeader(WireFormat.SEQ, Long.toString(seq).getBytes(StandardCharsets.UTF_8))};
        return new IncomingFrame(camera.getBytes(StandardCharsets.UTF_8), value, headers,
                1_000 + 100 * seq, "frames", 0, offset++, 0);
    }

    @ParameterizedTest
    @EnumSource(value = DecodeLayout.class, names = {"OVERLAPPED", "BETWEEN_BATCHES"})
    void bothCamerasGetEveryFrameAsACentreOnceAndBadRecordsAreSideOutput(DecodeLayout layout) throws Exception {
        offset = 0;
        byte[] rgb = new byte[32 * 16 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i % 251);
        }
        byte[] png = new RgbImage(32, 16, rgb).encodePng();
        byte[] garbage = "garbage".getBytes(StandardCharsets.UTF_8);
        List<IncomingFrame> input = List.of(
                frame("a", 0, png), frame("b", 0, png), frame("a", 2, png), frame("a", 1, png),
                frame("b", 1, png), frame("x", 9, garbage), frame("b", 2, png), frame("a", 3, png),
                frame("a", 3, png), frame("b", 4, png), frame("b", 3, png), frame("a", 4, png),
                new IncomingFrame("a".getBytes(StandardCharsets.UTF_8), png, null, 1_000, "frames", 0, offset++, 0),
                frame("a", 5, png), frame("b", 5, png));

        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false); // any Kryo fallback in records, state or exchange fails the job
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        // the source, decoding and watermarks at 1, the keyed triplets at 2
        env.setParallelism(1);
        env.getConfig().enableObjectReuse();
        // Decoding and watermarking stay in the source's order, as they do chained to a Kafka partition reader.
        SingleOutputStreamOperator<Frame> decoded = FrameDecoding.apply(
                env.fromData(input, TypeInformation.of(IncomingFrame.class)), 16, 8, layout, DeviceChoice.CPU);
        DataStream<Frame> timed = decoded
                .assignTimestampsAndWatermarks(FrameWatermarks.strategy(Duration.ofMillis(300), Duration.ofSeconds(1)))
                .setParallelism(1);
        DataStream<Triplet> triplets = timed.keyBy(Frame::cameraId)
                .process(new TripletAssembler(new TripletTiming(
                        Duration.ofMillis(300), 3, Duration.ofSeconds(30), Duration.ofMinutes(5))))
                .setParallelism(2);

        DataStream.Collector<Triplet> tripletOut = new DataStream.Collector<>();
        DataStream.Collector<RejectedRecord> rejectedOut = new DataStream.Collector<>();
        triplets.collectAsync(tripletOut);
        decoded.getSideOutput(FrameDecoder.REJECTED).collectAsync(rejectedOut);
        env.executeAsync("ingest pipeline test");

        Map<String, List<String>> byCamera = new TreeMap<>();
        List<Triplet> all = new ArrayList<>();
        try (CloseableIterator<Triplet> it = tripletOut.getOutput()) {
            it.forEachRemaining(triplet -> {
                all.add(triplet);
                byCamera.computeIfAbsent(triplet.cameraId(), k -> new ArrayList<>()).add(
                        (triplet.prev() == null ? "_" : "" + triplet.prev().seq()) + "<" + triplet.cur().seq() + ">"
                                + (triplet.next() == null ? "_" : "" + triplet.next().seq()));
            });
        }
        List<String> rejected = new ArrayList<>();
        try (CloseableIterator<RejectedRecord> it = rejectedOut.getOutput()) {
            it.forEachRemaining(record -> rejected.add(record.source() + " " + record.reason()));
        }

        List<String> chain = List.of("_<0>1", "0<1>2", "1<2>3", "2<3>4", "3<4>5", "4<5>_");
        assertThat(byCamera).containsOnlyKeys("a", "b");
        assertThat(byCamera.get("a")).isEqualTo(chain);
        assertThat(byCamera.get("b")).isEqualTo(chain);
        assertThat(rejected).containsExactlyInAnyOrder(
                "frames/0/5 image is not a PNG or JPEG image (7 bytes)", "frames/0/12 missing ds.seq header");
        Frame sample = all.get(0).cur();
        assertThat(sample.image().width()).isEqualTo(16);
        assertThat(sample.image().height()).isEqualTo(8);
        assertThat(sample.intrinsics().fx()).isCloseTo(0.58 * 16, within(1e-9));
        assertThat(sample.intrinsics().fy()).isCloseTo(1.92 * 8, within(1e-9));
    }
}
