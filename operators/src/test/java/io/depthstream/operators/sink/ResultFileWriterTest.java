package io.depthstream.operators.sink;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ResultFileWriterTest {

    @TempDir
    Path base;

    @Test
    void writesDepthColourAndAnOrderedTrajectoryPerCamera() throws Exception {
        try (ResultFileWriter writer = new ResultFileWriter(base)) {
            writer.write(SampleResults.simple("cam-a", 2, 2.0), null);
            writer.write(SampleResults.simple("cam-b", 7, 70.0), null);
            writer.write(SampleResults.simple("cam-a", 0, 0.0), null);
            writer.write(SampleResults.simple("cam-a", 1, 1.0), null);
        }

        Path camA = base.resolve("cam-a");
        DepthMap depth = DepthMap.decodeKittiPng(Files.readAllBytes(camA.resolve("depth/0000000002.png")));
        assertThat(depth.width()).isEqualTo(3);
        assertThat(depth.height()).isEqualTo(2);
        assertThat(depth.depth()).containsExactly(new float[] {1, 2, 4, 8, 16, 32}, within(1e-6f));

        RgbImage colour = RgbImage.decode(Files.readAllBytes(camA.resolve("color/0000000002.png")));
        assertThat(colour.width()).isEqualTo(3);
        // magma: the nearest pixel (largest disparity) is bright, the farthest dark
        assertThat(colour.get(0, 0, 0) + colour.get(0, 0, 1)).isGreaterThan(colour.get(2, 1, 0) + colour.get(2, 1, 1));

        List<String> trajectory = Files.readAllLines(camA.resolve(ResultFileWriter.TRAJECTORY_FILE));
        assertThat(trajectory).hasSize(3);
        for (int seq = 0; seq < 3; seq++) {
            double[] numbers = Stream.of(trajectory.get(seq).trim().split(" +")).mapToDouble(Double::parseDouble).toArray();
            assertThat(numbers).containsExactly(new double[] {1, 0, 0, seq, 0, 1, 0, 0, 0, 0, 1, 0}, within(1e-9));
        }
        assertThat(Files.readAllLines(camA.resolve(ResultFileWriter.TRAJECTORY_SEQ_FILE))).containsExactly("0", "1", "2");
        assertThat(Files.readAllLines(base.resolve("cam-b").resolve(ResultFileWriter.TRAJECTORY_SEQ_FILE)))
                .containsExactly("7");
        try (Stream<Path> files = Files.walk(base)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void aRestartedWriterContinuesTheTrajectoryAndReplacesReplayedResults() throws Exception {
        try (ResultFileWriter writer = new ResultFileWriter(base)) {
            writer.write(SampleResults.simple("cam", 0, 0.0), null);
            writer.write(SampleResults.simple("cam", 1, 1.0), null);
            writer.write(SampleResults.simple("cam", 2, 99.0), null);
            writer.flush(false);
        }
        try (ResultFileWriter writer = new ResultFileWriter(base)) {
            // replayed from the last checkpoint, then new
            writer.write(SampleResults.simple("cam", 2, 2.0), null);
            writer.write(SampleResults.simple("cam", 3, 3.0), null);
            writer.flush(true);
        }
        Path cam = base.resolve("cam");
        assertThat(Files.readAllLines(cam.resolve(ResultFileWriter.TRAJECTORY_SEQ_FILE))).containsExactly("0", "1", "2", "3");
        List<String> trajectory = Files.readAllLines(cam.resolve(ResultFileWriter.TRAJECTORY_FILE));
        assertThat(trajectory).hasSize(4);
        assertThat(Double.parseDouble(trajectory.get(2).trim().split(" +")[3])).isEqualTo(2.0);
    }

    @Test
    void flushWritesTheTrajectorySoFar() throws Exception {
        try (ResultFileWriter writer = new ResultFileWriter(base)) {
            writer.write(SampleResults.simple("cam", 5, 0.0), null);
            assertThat(base.resolve("cam").resolve(ResultFileWriter.TRAJECTORY_FILE)).doesNotExist();
            writer.flush(false);
            assertThat(Files.readAllLines(base.resolve("cam").resolve(ResultFileWriter.TRAJECTORY_FILE))).hasSize(1);
        }
    }

    @Test
    void cameraIdsStayInsideTheBaseDirectory() throws Exception {
        try (ResultFileWriter writer = new ResultFileWriter(base)) {
            writer.write(SampleResults.simple("../up", 0, 0.0), null);
            writer.write(SampleResults.simple("..", 0, 0.0), null);
        }
        assertThat(base.resolve("..%2Fup/depth/0000000000.png")).exists();
        assertThat(base.resolve("%2E%2E/depth/0000000000.png")).exists();
        assertThat(base.getParent().resolve("up")).doesNotExist();
    }
}
