package io.depthstream.pipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.LossConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collections;
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
 * @param measurements keyed {@code "<kind> batch <b> java|pytorch"} and {@code "training batch <b> <objective>"}
 * @param trainingPhases the photometric training step's seconds per step by phase; empty when training did not run
 * @param pytorchTrainingPhases PyTorch's training seconds per step by phase; empty when its training did not run
 */
public record BenchmarkReport(
        BenchmarkMachine machine, ModelConfig config, String pythonBanner, Map<String, Measurement> measurements,
        Map<String, Double> trainingPhases, Map<String, Double> pytorchTrainingPhases) {

    public BenchmarkReport {
        measurements = Collections.unmodifiableMap(new LinkedHashMap<>(measurements));
        trainingPhases = Collections.unmodifiableMap(new LinkedHashMap<>(trainingPhases));
        pytorchTrainingPhases = Collections.unmodifiableMap(new LinkedHashMap<>(pytorchTrainingPhases));
    }

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
        return new BenchmarkReport(machine, config, banner, measurements, Map.of(), Map.of());
    }

    /** This report with more measurements (e.g. the training benchmark's). */
    public BenchmarkReport plus(List<Measurement> more) {
        Map<String, Measurement> all = new LinkedHashMap<>(measurements);
        more.forEach(m -> all.put(m.name(), m));
        return new BenchmarkReport(machine, config, pythonBanner, all, trainingPhases, pytorchTrainingPhases);
    }

    /**
     * This report with the training benchmark's measurements at {@code batch}, and with {@code python} also
     * PyTorch's monodepth2 training step ({@code script}) on the machine's torch thread count, rounds alternating.
     *
     * @param triplets each triplet term's name and the objective with it; the first one's photometric part is the
     *     baseline
     * @param python interpreter for the PyTorch side, or null for Java only
     */
    public BenchmarkReport plusTraining(TrainingBenchmark benchmark, int batch, Map<String, LossConfig> triplets,
            Path python, Path script) throws IOException {
        if (python == null) {
            return plusTraining(benchmark.run(batch, triplets, null), pythonBanner);
        }
        try (PythonEagerProcess process = new PythonEagerProcess(python, script, config.architecture().configName(),
                config.height(), config.width(), machine.torchThreads())) {
            return plusTraining(benchmark.run(batch, triplets, process),
                    pythonBanner == null ? process.banner() : pythonBanner);
        }
    }

    private BenchmarkReport plusTraining(TrainingBenchmark.Result result, String banner) {
        Map<String, Measurement> all = new LinkedHashMap<>(measurements);
        result.measurements().forEach(m -> all.put(m.name(), m));
        return new BenchmarkReport(machine, config, banner, all, result.phases(), result.pytorchPhases());
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
        if (inferencePytorch()) {
            putMedians(root.putObject("pytorch_eager_fps"), InferenceBenchmark.DEPTH, "pytorch");
            putMedians(root.putObject("pytorch_eager_depth_pose_fps"), InferenceBenchmark.DEPTH_POSE, "pytorch");
        }
        Measurement render = measurements.get(SynthBenchmark.RENDER);
        if (render != null) {
            root.put("synth_render_fps", render.median());
            root.put("synth_velodyne_sweeps_per_s", measurements.get(SynthBenchmark.SCAN).median());
        }
        Measurement decode = measurements.get(SynthBenchmark.DECODE);
        if (decode != null) {
            root.put("kitti_archive_decode_fps", decode.median());
        }
        List<Measurement> training = training();
        if (!training.isEmpty()) {
            ObjectNode trainingNode = root.putObject("training_fps");
            for (Measurement m : training) {
                trainingNode.put(objective(m), m.median());
            }
            Measurement baseline = training.get(0);
            root.put("training_batch", batch(baseline));
            root.put("train_step_s", batch(baseline) / baseline.median());
            if (!trainingPhases.isEmpty()) {
                ObjectNode phases = root.putObject("training_s_per_step");
                trainingPhases.forEach(phases::put);
            }
            List<Measurement> triplets = trainingTriplets(training);
            if (!triplets.isEmpty()) {
                ObjectNode overheads = root.putObject("training_triplet_overhead");
                triplets.forEach(m -> overheads.put(objective(m), overhead(baseline, m)));
            }
            Measurement pytorch = trainingPytorch(training);
            if (pytorch != null) {
                root.put("training_vs_pytorch", baseline.median() / pytorch.median());
                ObjectNode phases = root.putObject("pytorch_training_s_per_step");
                pytorchTrainingPhases.forEach(phases::put);
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
        boolean python = inferencePytorch();
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
            Measurement decode = measurements.get(SynthBenchmark.DECODE);
            if (decode != null) {
                md.append("| KITTI raw archive frames read and decoded (zip + PNG to RGB) | ").append(format(decode))
                        .append(" |\n");
            }
        }
        List<Measurement> training = training();
        if (!training.isEmpty()) {
            Measurement baseline = training.get(0);
            Measurement pytorch = trainingPytorch(training);
            md.append("\n| training step | frames/s | s/step | overhead |\n|---|---|---|---|\n");
            for (Measurement m : training) {
                if (m == pytorch) {
                    continue;
                }
                md.append("| ").append(m.name()).append(" | ").append(format(m))
                        .append(String.format(Locale.ROOT, " | %.2f | ", batch(m) / m.median()))
                        .append(m == baseline ? "" : String.format(Locale.ROOT, "%+.1f%%", 100 * overhead(baseline, m)))
                        .append(" |\n");
            }
            appendPhases(md, "depthstream seconds per step (photometric):", trainingPhases);
            if (pytorch != null) {
                md.append(String.format(Locale.ROOT, "%n| training step, batch %d, photometric | depthstream frames/s"
                        + " | PyTorch frames/s | depthstream s/step | PyTorch s/step | ratio |%n"
                        + "|---|---|---|---|---|---|%n| %s %dx%d | %s | %s | %.2f | %.2f | %.2f |%n", batch(baseline),
                        config.architecture().configName(), config.width(), config.height(), format(baseline),
                        format(pytorch), batch(baseline) / baseline.median(), batch(pytorch) / pytorch.median(),
                        baseline.median() / pytorch.median()));
                appendPhases(md, "PyTorch seconds per step:", pytorchTrainingPhases);
            }
        }
        return md.toString();
    }

    private static void appendPhases(StringBuilder md, String title, Map<String, Double> phases) {
        if (!phases.isEmpty()) {
            md.append(String.format(Locale.ROOT, "%n%s", title));
            phases.forEach((phase, seconds) -> md.append(String.format(Locale.ROOT, " %s %.3f", phase, seconds)));
            md.append(String.format(Locale.ROOT, "%n"));
        }
    }

    /** The training measurements, the photometric baseline first. */
    private List<Measurement> training() {
        return measurements.values().stream().filter(m -> m.name().startsWith(TrainingBenchmark.TRAINING + " "))
                .toList();
    }

    /** Whether PyTorch's inference ran: the banner alone may come from the training comparison. */
    private boolean inferencePytorch() {
        return measurements.keySet().stream()
                .anyMatch(key -> key.endsWith(" pytorch") && !key.startsWith(TrainingBenchmark.TRAINING + " "));
    }

    /** The triplet-term measurements among the training ones, in measurement order. */
    private static List<Measurement> trainingTriplets(List<Measurement> training) {
        return training.stream().skip(1).filter(m -> !objective(m).equals(TrainingBenchmark.PYTORCH)).toList();
    }

    /** PyTorch's training measurement, or null when it did not run. */
    private static Measurement trainingPytorch(List<Measurement> training) {
        return training.stream().filter(m -> objective(m).equals(TrainingBenchmark.PYTORCH)).findFirst()
                .orElse(null);
    }

    /** The objective part of a training key {@code "training batch <b> <objective>"}. */
    private static String objective(Measurement training) {
        return training.name().substring(training.name().lastIndexOf(' ') + 1);
    }

    /** The batch part of a training key. */
    private static int batch(Measurement training) {
        return Integer.parseInt(training.name().split(" ")[2]);
    }

    /** Extra time per step of {@code with} over {@code baseline}, from median throughputs (0.1 = 10% slower). */
    static double overhead(Measurement baseline, Measurement with) {
        return baseline.median() / with.median() - 1;
    }

    private static String format(Measurement m) {
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", m.median(), m.min(), m.max());
    }
}
