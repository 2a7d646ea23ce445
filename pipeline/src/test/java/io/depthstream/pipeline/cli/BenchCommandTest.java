package io.depthstream.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.depthstream.pipeline.cli.DepthstreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BenchCommandTest {

    @Test
    void measuresEveryBatchAndKindAndWritesTheDocumentedKeys(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--arch", "lite", "--height", "64", "--width", "96",
                "--batch", "1,2", "--rounds", "2", "--frames", "2", "--no-synth", "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        for (String batch : new String[] {"1", "2"}) {
            assertThat(root.at("/raw_inference_fps/" + batch).asDouble()).isPositive();
            assertThat(root.at("/raw_inference_depth_pose_fps/" + batch).asDouble()).isPositive();
        }
        assertThat(root.get("measurements")).hasSize(4);
        assertThat(root.at("/measurements/0/rounds_fps")).hasSize(2);
        assertThat(root.at("/model/architecture").asText()).isEqualTo("lite");
        assertThat(root.has("pytorch_eager_fps")).isFalse();
        assertThat(root.has("synth_render_fps")).isFalse();
        assertThat(result.out()).contains("| depth | 1 |").contains("| depth+pose | 2 |");
        assertThat(result.err()).contains("round 0 (warm-up)").contains("round 2");
    }

    @Test
    void measuresSyntheticRenderingAtKittiSize(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--arch", "lite", "--height", "64", "--width", "96",
                "--batch", "1", "--kinds", "depth", "--rounds", "1", "--frames", "1", "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("synth_render_fps").asDouble()).isPositive();
        assertThat(root.get("synth_velodyne_sweeps_per_s").asDouble()).isPositive();
        assertThat(result.out()).contains("| rendered frames (colour + depth) |");
    }

    @Test
    void measuresTrainingStepsWithAndWithoutTheTripletTerm(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--arch", "lite", "--height", "64", "--width", "96",
                "--no-inference", "--no-synth", "--training", "--training-batch", "1", "--training-steps", "1",
                "--triplet", "isolated", "--rounds", "2", "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.at("/training_fps/photometric").asDouble()).isPositive();
        assertThat(root.at("/training_fps/triplet_isolated").asDouble()).isPositive();
        assertThat(root.get("training_batch").asInt()).isEqualTo(1);
        double overhead = root.get("training_triplet_overhead").asDouble();
        assertThat(overhead).isEqualTo(root.at("/training_fps/photometric").asDouble()
                / root.at("/training_fps/triplet_isolated").asDouble() - 1, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(root.get("measurements")).hasSize(2);
        assertThat(root.has("raw_inference_fps")).isTrue();
        assertThat(root.get("raw_inference_fps")).isEmpty();
        assertThat(result.out()).contains("| training batch 1 photometric |").contains("triplet_isolated");
        assertThat(result.err()).contains("round 2");

        DepthstreamCommandTest.Run none = run("bench", "--training", "--triplet", "none", "--no-inference");
        assertThat(none.exit()).isEqualTo(2);
    }

    @Test
    void comparesTheTrainingStepWithPytorchsWhenGivenAnInterpreter(@TempDir Path dir) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "no " + python);
        Process probe = new ProcessBuilder(python.toString(), "-c", "import torch, torchvision")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "no torch for " + python);
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--arch", "lite", "--height", "64", "--width", "96",
                "--no-inference", "--no-synth", "--training", "--training-batch", "1", "--training-steps", "1",
                "--rounds", "1", "--python", python.toString(), "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        double java = root.at("/training_fps/photometric").asDouble();
        double pytorch = root.at("/training_fps/pytorch").asDouble();
        assertThat(pytorch).isPositive();
        assertThat(root.get("training_vs_pytorch").asDouble()).isCloseTo(java / pytorch, within(1e-12));
        assertThat(root.has("training_triplet_overhead")).isTrue();
        assertThat(root.get("pytorch_training_s_per_step").fieldNames())
                .toIterable().containsExactly("data", "forward", "backward", "optimizer");
        assertThat(root.at("/machine/pytorch_eager").asText()).startsWith("torch ");
        assertThat(root.get("measurements")).hasSize(3);
        assertThat(result.out()).contains("| PyTorch frames/s |").contains("PyTorch seconds per step:");
        assertThat(result.err()).contains("pytorch photometric");
    }

    @Test
    void rejectsUnknownKinds() {
        DepthstreamCommandTest.Run result = run("bench", "--kinds", "segmentation");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("unknown kind 'segmentation'");
    }
}
