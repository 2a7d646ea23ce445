package io.depthstream.pipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of one {@code depthstream bench} run: machine, configuration and every measurement, as JSON
 * ({@code raw_inference_fps}: batch → frames/s of depth inference) and as a Markdown table.
 *
 * @param machine where it ran
 * @param config the model measured
 * @param pythonBanner what the PyTorch side reported (version, threads), or null when it did not run
 * @param measurements keyed {@code "<kind> batch <b> java|pytorch"}
 */
public record BenchmarkReport(
        BenchmarkMachine machine, ModelConfig config, String pythonBanner, Map<String, Measurement> measurements) {

    /**
     * Runs the inference benchmark.
     *
     * @param python interpreter for the PyTorch side, or null for Java only
     * @param script the PyTorch benchmark script
     */
    public static BenchmarkReport measure(DepthModel model, BenchmarkMachine machine, List<String> kinds,
            List<Integer> batches, int rounds, int frames, Path python, Path script, boolean synth,
            PrintWriter progress) throws IOException {
        InferenceBenchmark benchmark = new InferenceBenchmark(model, rounds, frames, progress);
        ModelConfig config = model.config();
        Map<String, Measurement> measurements = new LinkedHashMap<>();
        String banner = null;
        if (python == null) {
            measurements.putAll(benchmark.run(kinds, batches, null));
        } else {
            try (PythonEagerProcess eager = new PythonEagerProcess(python, script,
                    config.architecture().configName(), config.height(), config.width(), machine.torchThreads())) {
                banner = eager.banner();
                measurements.putAll(benchmark.run(kinds, batches, eager));
            }
        }
        if (synth) {
            for (Measurement m : SynthBenchmark.run(rounds, SYNTH_FRAMES_PER_ROUND, progress)) {
                measurements.put(m.name(), m);
            }
        }
        return new BenchmarkReport(machine, config, banner, measurements);
    }

    /** This report with more measurements (e.g. the training benchmark's). */
    public BenchmarkReport plus(List<Measurement> more) {
        Map<String, Measurement> all = new LinkedHashMap<>(measurements);
        more.forEach(m -> all.put(m.name(), m));
        return new BenchmarkReport(machine, config, pythonBanner, all);
    }

    /** Frames per synthetic-rendering round: a few seconds of work here. */
    private static final int SYNTH_FRAMES_PER_ROUND = 8;

    /** The JSON document {@code bench} writes. */
    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode machineNode = root.putObject("machine");
        machineNode.put("cpu", machine.cpu());
        machineNode.put("cores", machine.cores());
        machineNode.put("java", machine.java());
        machineNode.put("engine", machine.engine());
        machineNode.put("torch_threads", machine.torchThreads());
        if (pythonBanner != null) {
            machineNode.put("pytorch_eager", pythonBanner);
        }
        ObjectNode model = root.putObject("model");
        model.put("architecture", config.architecture().configName());
        model.put("height", config.height());
        model.put("width", config.width());
        putMedians(root.putObject("raw_inference_fps"), InferenceBenchmark.DEPTH, "java");
        putMedians(root.putObject("raw_inference_depth_pose_fps"), InferenceBenchmark.DEPTH_POSE, "java");
        if (pythonBanner != null) {
            putMedians(root.putObject("pytorch_eager_fps"), InferenceBenchmark.DEPTH, "pytorch");
            putMedians(root.putObject("pytorch_eager_depth_pose_fps"), InferenceBenchmark.DEPTH_POSE, "pytorch");
        }
        Measurement render = measurements.get(SynthBenchmark.RENDER);
        if (render != null) {
            root.put("synth_render_fps", render.median());
            root.put("synth_velodyne_sweeps_per_s", measurements.get(SynthBenchmark.SCAN).median());
        }
        List<Measurement> training = training();
        if (!training.isEmpty()) {
            ObjectNode trainingNode = root.putObject("training_fps");
            for (Measurement m : training) {
                trainingNode.put(m.name().substring(m.name().lastIndexOf(' ') + 1), m.median());
            }
            if (training.size() == 2) {
                root.put("training_batch", Integer.parseInt(training.get(0).name().split(" ")[2]));
                root.put("training_triplet_overhead", overhead(training.get(0), training.get(1)));
            }
        }
        ArrayNode all = root.putArray("measurements");
        measurements.forEach((key, m) -> {
            ObjectNode node = all.addObject();
            node.put("name", key);
            node.put("median_fps", m.median());
            node.put("min_fps", m.min());
            node.put("max_fps", m.max());
            ArrayNode rounds = node.putArray("rounds_fps");
            m.framesPerSecond().forEach(rounds::add);
        });
        return root;
    }

    private void putMedians(ObjectNode node, String kind, String side) {
        String prefix = kind + " batch ";
        measurements.forEach((key, m) -> {
            if (key.startsWith(prefix) && key.endsWith(" " + side)) {
                node.put(key.substring(prefix.length(), key.length() - side.length() - 1), m.median());
            }
        });
    }

    /** A Markdown table: one row per kind and batch, Java (and PyTorch, with their ratio) as median (min–max). */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%s %dx%d, %s, %d cores, %d torch threads%s%n%n",
                config.architecture().configName(), config.width(), config.height(), machine.cpu(), machine.cores(),
                machine.torchThreads(), pythonBanner == null ? "" : "; PyTorch eager: " + pythonBanner));
        boolean python = pythonBanner != null;
        boolean inference = measurements.keySet().stream().anyMatch(key -> key.endsWith(" java"));
        if (inference) {
            md.append(python
                    ? "| kind | batch | depthstream frames/s | PyTorch eager frames/s | ratio |\n|---|---|---|---|---|\n"
                    : "| kind | batch | depthstream frames/s |\n|---|---|---|\n");
            measurements.forEach((key, m) -> {
                if (!key.endsWith(" java")) {
                    return;
                }
                String[] parts = key.split(" ");
                md.append("| ").append(parts[0]).append(" | ").append(parts[2]).append(" | ").append(format(m));
                if (python) {
                    Measurement eager =
                            measurements.get(key.substring(0, key.length() - " java".length()) + " pytorch");
                    md.append(" | ").append(format(eager))
                            .append(String.format(Locale.ROOT, " | %.2f", m.median() / eager.median()));
                }
                md.append(" |\n");
            });
        }
        Measurement render = measurements.get(SynthBenchmark.RENDER);
        if (render != null) {
            md.append("\n| synthetic drive (1242x375) | per second |\n|---|---|\n")
                    .append("| rendered frames (colour + depth) | ").append(format(render)).append(" |\n")
                    .append("| velodyne sweeps (64 beams) | ").append(format(measurements.get(SynthBenchmark.SCAN)))
                    .append(" |\n");
        }
        List<Measurement> training = training();
        if (!training.isEmpty()) {
            md.append("\n| training step | frames/s | s/step | overhead |\n|---|---|---|---|\n");
            for (Measurement m : training) {
                int batch = Integer.parseInt(m.name().split(" ")[2]);
                md.append("| ").append(m.name()).append(" | ").append(format(m))
                        .append(String.format(Locale.ROOT, " | %.2f | ", batch / m.median()))
                        .append(m == training.get(0) ? "" : String.format(Locale.ROOT, "%+.1f%%",
                                100 * overhead(training.get(0), m)))
                        .append(" |\n");
            }
        }
        return md.toString();
    }

    /** The training measurements, the photometric baseline first. */
    private List<Measurement> training() {
        return measurements.values().stream().filter(m -> m.name().startsWith(TrainingBenchmark.TRAINING + " "))
                .toList();
    }

    /** Extra time per step of {@code with} over {@code baseline}, from median throughputs (0.1 = 10% slower). */
    static double overhead(Measurement baseline, Measurement with) {
        return baseline.median() / with.median() - 1;
    }

    private static String format(Measurement m) {
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", m.median(), m.min(), m.max());
    }
}
