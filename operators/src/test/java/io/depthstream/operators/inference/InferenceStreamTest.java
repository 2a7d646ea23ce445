package io.depthstream.operators.inference;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.sink.ResultFileSink;
import io.depthstream.operators.sink.ResultFileWriter;
import io.depthstream.operators.triplet.Triplet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The inference operator and the file sink in a real Flink job on a MiniCluster. */
class InferenceStreamTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    @TempDir
    Path out;

    @Test
    void tripletsInBecomeResultsAndFiles() throws Exception {
        List<Triplet> input = SyntheticTriplets.interleaved(List.of(
                SyntheticTriplets.triplets(SyntheticTriplets.frames("cam-a", 31, 4)),
                SyntheticTriplets.triplets(SyntheticTriplets.frames("cam-b", 32, 3))));
        InferenceSettings settings = InferenceSettings.defaults(ModelSource.random(
                        new ModelConfig(Architecture.LITE, SyntheticTriplets.HEIGHT, SyntheticTriplets.WIDTH, 0.1, 100,
                                List.of(0)), 3))
                .withDevice(DeviceChoice.CPU)
                .withBatching(3, 20);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<Triplet> triplets = env.fromData(input, TypeInformation.of(Triplet.class));
        SingleOutputStreamOperator<DepthResult> results = InferenceOperator.apply(triplets, settings);
        ResultFileSink.writeTo(results, out);

        List<DepthResult> collected = new ArrayList<>();
        try (CloseableIterator<DepthResult> it = results.executeAndCollect("inference-test")) {
            it.forEachRemaining(collected::add);
        }

        assertThat(collected).hasSize(7);
        assertThat(collected).extracting(r -> r.cameraId() + "/" + r.seq())
                .containsExactly("cam-a/0", "cam-b/0", "cam-a/1", "cam-b/1", "cam-a/2", "cam-b/2", "cam-a/3");
        assertThat(collected).allSatisfy(r -> assertThat(r.modelVersion()).isEqualTo("random-lite-3"));
        assertThat(Files.readAllLines(out.resolve("cam-a").resolve(ResultFileWriter.TRAJECTORY_SEQ_FILE)))
                .containsExactly("0", "1", "2", "3");
        assertThat(Files.readAllLines(out.resolve("cam-b").resolve(ResultFileWriter.TRAJECTORY_FILE))).hasSize(3);
        assertThat(out.resolve("cam-a/depth/0000000003.png")).exists();
        assertThat(out.resolve("cam-b/color/0000000002.png")).exists();
    }
}
