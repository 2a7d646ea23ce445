package io.depthstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.pipeline.cli.DepthstreamCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code depthstream demo} end to end, small: every frame gets its result, files and summary as documented. */
class DemoIT {

    /** The shipped model's abs_rel on the demo's drives is about 0.09 (models/lite-synthetic/README.md). */
    private static final double SHIPPED_ABS_REL_BOUND = 0.30;

    @Test
    void theDemoCommitsAResultPerFrameAndWritesItsOutputs(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        commandLine.setOut(new PrintWriter(stdout, true));
        commandLine.setErr(new PrintWriter(stderr, true));

        int exit = commandLine.execute("demo", "--init", "random", "--arch", "lite", "--height", "64", "--width",
                "192", "--frames", "6", "--rate", "max", "--out-dir", out.toString());

        assertThat(exit).as(stderr.toString()).isZero();
        assertThat(stderr.toString()).contains("depth is meaningless");
        assertThat(stdout.toString()).contains("frames in        12").contains("results out      12 depth, 12 poses");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        for (String key : List.of("frames_in", "results_out", "dlq", "fps", "latency_ms_p50", "latency_ms_p99",
                "abs_rel", "a1", "model_version")) {
            assertThat(summary.has(key)).as(key).isTrue();
        }
        assertThat(summary.path("frames_in").asInt()).isEqualTo(12);
        assertThat(summary.path("results_out").asInt()).isEqualTo(12);
        assertThat(summary.path("dlq").asInt()).isZero();
        assertThat(summary.path("evaluated_frames").asInt()).isEqualTo(12);
        assertThat(summary.path("abs_rel").asDouble()).isPositive();
        assertThat(summary.path("model_version").asText()).isEqualTo("random-lite-1");

        assertCameraOutputs(out, 6);
    }

    /**
     * Without model flags the demo serves the shipped model, whose depth is far better than a random network's
     * (about 0.44 abs_rel on these drives), and says what that model is.
     */
    @Test
    void theDefaultDemoServesTheShippedModelAndItsDepthBeatsARandomNetwork(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        commandLine.setOut(new PrintWriter(stdout, true));
        commandLine.setErr(new PrintWriter(stderr, true));

        int exit = commandLine.execute("demo", "--frames", "12", "--rate", "max", "--out-dir", out.toString());

        assertThat(exit).as(stderr.toString()).isZero();
        assertThat(stderr.toString()).doesNotContain("meaningless");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("results_out").asInt()).isEqualTo(24);
        assertThat(summary.path("model_version").asText()).isEqualTo("lite-synthetic");
        assertThat(summary.path("model").asText()).contains("lite-synthetic").contains("synthetic drives");
        assertThat(summary.path("note").asText()).contains("import-monodepth2");
        assertThat(summary.path("evaluated_frames").asInt()).isEqualTo(24);
        assertThat(summary.path("abs_rel").asDouble()).as(summary.toString()).isLessThan(SHIPPED_ABS_REL_BOUND);
        assertCameraOutputs(out, 12);
    }

    /** Per camera: a depth PNG and a colour preview per frame, and a trajectory line per frame. */
    private static void assertCameraOutputs(Path out, int frames) throws Exception {
        List<Path> cameras;
        try (Stream<Path> list = Files.list(out)) {
            cameras = list.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cameras).hasSize(2);
        for (Path camera : cameras) {
            try (Stream<Path> depth = Files.list(camera.resolve("depth"));
                    Stream<Path> color = Files.list(camera.resolve("color"))) {
                assertThat(depth.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(frames);
                assertThat(color.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(frames);
            }
            List<String> trajectory = Files.readAllLines(camera.resolve("trajectory.txt"));
            assertThat(trajectory).hasSize(frames);
            assertThat(trajectory.get(0).trim().split("\\s+")).hasSize(12);
        }
    }
}
