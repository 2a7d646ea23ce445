package io.depthstream.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.operators.schedule.DecodeLayout;
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
                "--batch", "1,2", "--rounds", "2", "--frames", "2", "--no-synth", "--no-training", "--no-pipeline",
                "--json", json.toString());

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
        assertThat(root.has("train_step_s")).isFalse();
        assertThat(root.has("pipeline_fps")).isFalse();
        assertThat(root.at("/memory/peak_rss_mib").asDouble()).isGreaterThanOrEqualTo(root.at("/memory/rss_mib").asDouble())
                .isPositive();
        assertThat(root.at("/memory/off_heap_mib").asDouble()).isEqualTo(
                Math.max(0, root.at("/memory/rss_mib").asDouble() - root.at("/memory/heap_committed_mib").asDouble()),
                within(1e-9));
        assertThat(result.out()).contains("| depth | 1 |").contains("| depth+pose | 2 |").contains("memory: peak resident");
        assertThat(result.err()).contains("round 0 (warm-up)").contains("round 2");
    }

    @Test
    void measuresSyntheticRenderingAtKittiSize(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--arch", "lite", "--height", "64", "--width", "96",
                "--batch", "1", "--kinds", "depth", "--rounds", "1", "--frames", "1", "--no-training", "--no-pipeline",
                "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("synth_render_fps").asDouble()).isPositive();
        assertThat(root.get("synth_velodyne_sweeps_per_s").asDouble()).isPositive();
        assertThat(root.get("kitti_archive_decode_fps").asDouble()).isPositive();
        assertThat(result.out()).contains("| rendered frames (colour + depth) |")
                .contains("| KITTI raw archive frames read and decoded (zip + PNG to RGB) |");
        assertThat(result.err()).contains("archive    round 1: read + decode");
    }

    @Test
    void measuresTrainingStepsWithAndWithoutEachTripletTerm(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--arch", "lite", "--height", "64", "--width", "96",
                "--no-inference", "--no-synth", "--no-pipeline", "--training-batch", "1", "--training-steps", "1",
                "--triplet", "isolated,differential", "--rounds", "2", "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        double photometric = root.at("/training_fps/photometric").asDouble();
        assertThat(photometric).isPositive();
        assertThat(root.get("training_batch").asInt()).isEqualTo(1);
        assertThat(root.get("train_step_s").asDouble()).isCloseTo(1 / photometric, within(1e-12));
        for (String term : new String[] {"triplet_isolated", "triplet_differential"}) {
            double with = root.at("/training_fps/" + term).asDouble();
            assertThat(with).isPositive();
            assertThat(root.at("/training_triplet_overhead/" + term).asDouble())
                    .isCloseTo(photometric / with - 1, within(1e-12));
        }
        assertThat(root.get("training_triplet_overhead")).hasSize(2);
        assertThat(root.get("measurements")).hasSize(3);
        assertThat(root.has("raw_inference_fps")).isTrue();
        assertThat(root.get("raw_inference_fps")).isEmpty();
        assertThat(result.out()).contains("| training batch 1 photometric |").contains("triplet_isolated")
                .contains("triplet_differential");
        assertThat(result.err()).contains("round 2");

        DepthstreamCommandTest.Run none = run("bench", "--triplet", "none", "--no-inference");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("--triplet").contains("--no-training");
    }

    @Test
    void measuresTheStreamingJobAgainstTheBareModel(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--arch", "lite", "--height", "64", "--width", "96",
                "--no-inference", "--no-synth", "--no-training", "--pipeline-batch", "2", "--pipeline-frames", "6",
                "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.at("/pipeline/frames").asInt()).as("every frame of 2 cameras x 6").isEqualTo(12);
        double fps = root.get("pipeline_fps").asDouble();
        assertThat(fps).isPositive().isEqualTo(root.at("/pipeline/pipelineFps").asDouble());
        double bare = (root.at("/pipeline/modelFpsBefore").asDouble() + root.at("/pipeline/modelFpsAfter").asDouble()) / 2;
        assertThat(root.get("pipeline_ratio").asDouble()).isCloseTo(fps / bare, within(1e-9));
        assertThat(root.get("latency_ms_p50").asDouble()).isPositive()
                .isLessThanOrEqualTo(root.get("latency_ms_p99").asDouble());
        assertThat(result.out()).contains("| job (Kafka → Flink → Kafka), steady state |")
                .contains("| job, first to last result |").contains("latency p50");
        String here = DecodeLayout.AUTO.resolveHere(DeviceChoice.AUTO).describe();
        assertThat(root.get("pipeline_decode").asText()).isEqualTo(here);
        assertThat(result.out()).contains("decode: " + here);
    }

    @Test
    void measuresTheCamerasAt10HzTheJobSustainsAndTheShareServedLive(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--height", "64", "--width", "96", "--no-inference",
                "--no-synth", "--no-training", "--no-pipeline", "--capacity", "--pipeline-batch", "2",
                "--pipeline-frames", "8", "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode capacity = new ObjectMapper().readTree(json.toFile()).get("capacity");
        assertThat(capacity.fieldNames()).toIterable().containsExactly("resnet18_96x64", "lite_96x64");
        for (JsonNode model : capacity) {
            double flatOut = model.get("flat_out_fps").asDouble();
            assertThat(flatOut).isPositive();
            assertThat(model.get("paced_fps").asDouble()).isCloseTo(0.9 * flatOut, within(1e-9));
            double cameras = model.get("cameras_at_10hz_every_frame").asDouble();
            if (model.get("sustained").asBoolean()) {
                assertThat(cameras).isCloseTo(model.get("paced_fps").asDouble() / 10, within(1e-9));
            } else {
                assertThat(cameras).isZero();
            }
            // 2 cameras at 10 Hz for 12 s; each camera's newest frame always gets its result
            long sent = model.get("latest_frame_sent").asLong();
            long served = model.get("latest_frame_served").asLong();
            assertThat(sent).isBetween(200L, 260L);
            assertThat(served).isBetween(2L, sent);
            assertThat(model.get("latest_frame_served_share").asDouble())
                    .isCloseTo((double) served / sent, within(1e-9));
            assertThat(model.get("latest_frame_latency_ms_p50").asDouble()).isPositive();
            assertThat(model.get("decode").asText()).isEqualTo(DecodeLayout.AUTO.resolveHere(DeviceChoice.AUTO)
                    .describe());
        }
        assertThat(result.out()).contains("| capacity (2 cameras) |").contains("| resnet18 96x64 |")
                .contains("| lite 96x64 |");
    }

    @Test
    void measuresTheStreamingJobWithAndWithoutFineTuningInOneRun(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");

        DepthstreamCommandTest.Run result = run("bench", "--arch", "lite", "--height", "64", "--width", "96",
                "--no-inference", "--no-synth", "--no-training", "--pipeline-batch", "2", "--pipeline-frames", "6",
                "--fine-tune", "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        JsonNode fineTune = root.get("fine_tune");
        assertThat(fineTune).as("bench.json has fine_tune").isNotNull();
        double off = fineTune.get("fps_off").asDouble();
        double on = fineTune.get("fps_on").asDouble();
        assertThat(off).isPositive();
        assertThat(on).isPositive();
        assertThat(fineTune.get("fps_ratio").asDouble()).isCloseTo(on / off, within(1e-9));
        assertThat(fineTune.get("p99_ratio").asDouble()).isCloseTo(
                fineTune.get("latency_ms_p99_on").asDouble() / fineTune.get("latency_ms_p99_off").asDouble(),
                within(1e-9));
        for (String side : new String[] {"off", "on"}) {
            assertThat(fineTune.get("latency_ms_p50_" + side).asDouble()).isPositive()
                    .isLessThanOrEqualTo(fineTune.get("latency_ms_p99_" + side).asDouble());
        }
        assertThat(fineTune.get("learner_steps").isIntegralNumber()).isTrue();
        assertThat(fineTune.get("learner_steps").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(fineTune.get("published_versions").asInt()).isGreaterThanOrEqualTo(0);
        assertThat(fineTune.get("learner_threads").isIntegralNumber()).isTrue();
        // runs: off, on, off, each with every frame of 2 cameras x 6; the "off" throughput is the two off runs' mean
        JsonNode runs = fineTune.get("runs");
        assertThat(runs).hasSize(3);
        assertThat(runs.get(0).get("fine_tuning").asBoolean()).isFalse();
        assertThat(runs.get(1).get("fine_tuning").asBoolean()).isTrue();
        assertThat(runs.get(2).get("fine_tuning").asBoolean()).isFalse();
        for (JsonNode run : runs) {
            assertThat(run.get("frames").asInt()).isEqualTo(12);
        }
        assertThat(off).isCloseTo((runs.get(0).get("fps").asDouble() + runs.get(2).get("fps").asDouble()) / 2,
                within(1e-9));
        assertThat(on).isEqualTo(runs.get(1).get("fps").asDouble());
        assertThat(root.get("pipeline_fps").asDouble()).as("the pipeline measurement is the first off run")
                .isEqualTo(runs.get(0).get("fps").asDouble());
        // with fine-tuning every result names a store version, v0 (the start model) among them when it served any
        int counted = 0;
        for (JsonNode count : fineTune.get("results_per_version")) {
            counted += count.asInt();
        }
        assertThat(counted).isEqualTo(12);
        fineTune.get("results_per_version").fieldNames().forEachRemaining(v -> assertThat(v).matches("v\\d+"));
        assertThat(result.out()).contains("| results/s |").contains("| latency p99 (ms) |").contains("learner");

        DepthstreamCommandTest.Run withoutPipeline = run("bench", "--fine-tune", "--no-pipeline");
        assertThat(withoutPipeline.exit()).isEqualTo(2);
        assertThat(withoutPipeline.err()).contains("--fine-tune").contains("--no-pipeline");
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
                "--no-inference", "--no-synth", "--no-pipeline", "--training-batch", "1", "--training-steps", "1",
                "--rounds", "1", "--python", python.toString(), "--json", json.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        double java = root.at("/training_fps/photometric").asDouble();
        double pytorch = root.at("/training_fps/pytorch").asDouble();
        assertThat(pytorch).isPositive();
        assertThat(root.get("training_vs_pytorch").asDouble()).isCloseTo(java / pytorch, within(1e-12));
        assertThat(root.get("training_triplet_overhead")).as("the three triplet terms by default").hasSize(3);
        assertThat(root.get("pytorch_training_s_per_step").fieldNames())
                .toIterable().containsExactly("data", "forward", "backward", "optimizer");
        assertThat(root.at("/machine/pytorch_eager").asText()).startsWith("torch ");
        assertThat(root.get("measurements")).hasSize(5);
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
