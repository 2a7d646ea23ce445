package io.depthstream.pipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BenchmarkReportTest {

    private static final BenchmarkMachine MACHINE = new BenchmarkMachine("cpu", 2, "17", "PyTorch 2.0.1", 2);
    private static final ModelConfig CONFIG = ModelConfig.monodepth2(Architecture.RESNET18);

    @Test
    void comparesThePhotometricTrainingStepWithPytorchAndKeepsTheTripletOverhead() {
        Map<String, Measurement> measurements = new LinkedHashMap<>();
        for (Measurement m : List.of(
                new Measurement(TrainingBenchmark.key(4, "photometric"), List.of(0.8, 0.6, 0.7)),
                new Measurement(TrainingBenchmark.key(4, "fsre"), List.of(0.5, 0.6, 0.4)),
                new Measurement(TrainingBenchmark.key(4, TrainingBenchmark.PYTORCH), List.of(0.5, 0.4, 0.45)))) {
            measurements.put(m.name(), m);
        }
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("data", 0.1);
        phases.put("forward", 3.5);
        Map<String, Double> javaPhases = new LinkedHashMap<>();
        javaPhases.put("data", 0.05);
        javaPhases.put("forward", 2.25);
        BenchmarkReport report = new BenchmarkReport(MACHINE, CONFIG, "torch 1.13.0 threads 2", measurements,
                javaPhases, phases);

        ObjectNode json = report.toJson(new ObjectMapper());
        String markdown = report.toMarkdown();

        assertThat(json.at("/training_fps/photometric").asDouble()).isEqualTo(0.7);
        assertThat(json.at("/training_fps/pytorch").asDouble()).isEqualTo(0.45);
        assertThat(json.get("training_vs_pytorch").asDouble()).isCloseTo(0.7 / 0.45, within(1e-12));
        assertThat(json.at("/training_triplet_overhead/fsre").asDouble()).isCloseTo(0.7 / 0.5 - 1, within(1e-12));
        assertThat(json.get("training_triplet_overhead")).as("PyTorch is not a triplet term").hasSize(1);
        assertThat(json.get("training_batch").asInt()).isEqualTo(4);
        assertThat(json.get("train_step_s").asDouble()).isCloseTo(4 / 0.7, within(1e-12));
        assertThat(json.at("/pytorch_training_s_per_step/forward").asDouble()).isEqualTo(3.5);
        assertThat(json.at("/training_s_per_step/forward").asDouble()).isEqualTo(2.25);
        assertThat(json.at("/machine/pytorch_eager").asText()).isEqualTo("torch 1.13.0 threads 2");
        assertThat(json.has("pytorch_eager_fps")).isFalse();
        assertThat(markdown)
                .contains("| training batch 4 fsre | 0.50 (0.40–0.60) | 8.00 | +40.0% |")
                .doesNotContain("| training batch 4 pytorch |")
                .contains("| resnet18 640x192 | 0.70 (0.60–0.80) | 0.45 (0.40–0.50) | 5.71 | 8.89 | 1.56 |")
                .contains("PyTorch seconds per step: data 0.100 forward 3.500")
                .contains("depthstream seconds per step (photometric): data 0.050 forward 2.250")
                // no inference ran, so no inference table even though a PyTorch banner is present
                .doesNotContain("| kind | batch |");
    }

    @Test
    void readsPeakAndCurrentResidentMemoryFromTheProcessStatus() {
        ProcessMemory memory = ProcessMemory.parse("Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  2048000 kB\n"
                + "VmRSS:\t  1024000 kB\nThreads:\t42\n");

        assertThat(memory.peakRssBytes()).isEqualTo(2048000L * 1024);
        assertThat(memory.rssBytes()).isEqualTo(1024000L * 1024);
        assertThat(memory.offHeapBytes()).isEqualTo(Math.max(0, 1024000L * 1024 - memory.heapCommittedBytes()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProcessMemory.parse("Name:\tjava\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutPytorchTheTrainingReportIsTheTripletComparisonAlone() {
        Map<String, Measurement> measurements = new LinkedHashMap<>();
        measurements.put(TrainingBenchmark.key(1, "photometric"),
                new Measurement(TrainingBenchmark.key(1, "photometric"), List.of(2.0)));
        measurements.put(TrainingBenchmark.key(1, "fsre"), new Measurement(TrainingBenchmark.key(1, "fsre"), List.of(1.0)));
        BenchmarkReport report = new BenchmarkReport(MACHINE, CONFIG, null, measurements, Map.of(), Map.of());

        ObjectNode json = report.toJson(new ObjectMapper());

        assertThat(json.at("/training_triplet_overhead/fsre").asDouble()).isEqualTo(1.0);
        assertThat(json.has("training_vs_pytorch")).isFalse();
        assertThat(json.has("pytorch_training_s_per_step")).isFalse();
        assertThat(report.toMarkdown()).contains("| training batch 1 fsre | 1.00 (1.00–1.00) | 1.00 | +100.0% |")
                .doesNotContain("PyTorch");
    }
}
