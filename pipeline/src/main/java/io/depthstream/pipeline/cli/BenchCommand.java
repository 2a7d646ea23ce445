package io.depthstream.pipeline.cli;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.pipeline.bench.BenchmarkMachine;
import io.depthstream.pipeline.bench.BenchmarkReport;
import io.depthstream.pipeline.bench.CapacityBenchmark;
import io.depthstream.pipeline.bench.FineTuneComparison;
import io.depthstream.pipeline.bench.PipelineBenchmark;
import io.depthstream.pipeline.bench.ProcessMemory;
import io.depthstream.pipeline.bench.InferenceBenchmark;
import io.depthstream.pipeline.bench.TrainingBenchmark;
import io.depthstream.pipeline.bench.TrainingJobBenchmark;
import io.depthstream.model.train.LossConfig;
import io.depthstream.pipeline.config.TripletChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code depthstream bench}: inference throughput and training-step speed (optionally against PyTorch), synthetic
 * rendering speed and the streaming job's throughput.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure, on this machine: model inference, the streaming job, training steps, synthetic rendering and"
                    + " KITTI-archive decoding;"
                    + " optionally PyTorch's side, the streaming job with online fine-tuning on against off, and the"
                    + " offline training job.",
            "",
            "A seeded random model of the chosen architecture runs on random images; each configuration gets one"
                    + " warm-up round and --rounds measured rounds, reported as median (min, max) frames/s. With"
                    + " --python, the same architecture built independently in PyTorch"
                    + " (integration-tests/bench/monodepth2_eager.py) runs on the same thread count, its rounds"
                    + " alternating with the Java ones.",
            "",
            "The streaming job (unless --no-pipeline): synthetic 1242x375 frames of 2 cameras queued on an"
                    + " in-process Kafka broker, the job on a Flink MiniCluster, its results per second against the"
                    + " bare model (before and after, same batch and size) and against an in-process loop doing the"
                    + " same per-frame work; with latency and per-stage times, and the decode layout the job chose"
                    + " (--decode).",
            "",
            "With --capacity (not part of the default run): the cameras at 10 Hz the job sustains here, for"
                    + " resnet18 and lite at --width x --height, --pipeline-batch: every frame queued (results/s),"
                    + " then the 2 drives replayed live at 0.9 of that rate with every frame inferred (sustained"
                    + " when the lag from sending a frame to its result does not grow by more than 1 s from the"
                    + " first to the last third; cameras = that rate / 10, fractional below one), then 2 cameras"
                    + " at 10 Hz for 12 s with latest-frame (the share of frames served). About 2 minutes per model"
                    + " here; bench.json key capacity.",
            "",
            "With --fine-tune (not part of the default run), the streaming job runs three times on the same frames,"
                    + " batch and seeded start model: without online fine-tuning, with it, and without it again. With"
                    + " it, the learner trains in the job (default learning rate and objective, a model store in the"
                    + " bench's scratch directory that starts empty, a candidate judged every 2 steps, one triplet in 5"
                    + " held out). Reported side by side: results/s and latency p50/p99 off (mean results/s of the two"
                    + " off runs, percentiles of their pooled latencies) and on, their ratios on/off, the learner's"
                    + " steps and published versions (until the job was stopped after its last result) and, on Linux,"
                    + " the learner's share of the CPU: CPU time of its training thread and the PyTorch threads that"
                    + " thread started, over the on run's window from first to last result times the cores (CPU"
                    + " only: on a GPU it is not the GPU's share). Latency counts from the job reading a frame, and"
                    + " all frames are queued up front, so it mostly measures the backlog.",
            "",
            "Training steps (unless --no-training): augmentation, forward, loss, backward and Adam at"
                    + " --training-batch on random triplets with blocky semantic maps, with the photometric objective"
                    + " alone and with each --triplet term added, turns rotating every round. With --python as well,"
                    + " monodepth2's training step in PyTorch (integration-tests/bench/monodepth2_train.py: same"
                    + " networks, photometric objective, augmentation and Adam) takes a turn too.",
            "",
            "Unless --no-synth, synthetic-drive rendering at 1242x375 (frames and velodyne sweeps per second) and"
                    + " reading such frames back from a KITTI raw archive (zip + PNG decode per second).",
            "",
            "At the end, the process's peak resident memory and its part outside the Java heap. Writes JSON and"
                    + " prints Markdown tables. The default run takes about 4 minutes on 2 CPU cores."
        })
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--arch", defaultValue = "resnet18", paramLabel = "resnet18|resnet50|lite",
            description = "Architecture (default: ${DEFAULT-VALUE}).")
    String architecture;

    @Option(names = "--height", defaultValue = "192", description = "Input height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--width", defaultValue = "640", description = "Input width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--batch", defaultValue = "1,4,8", split = ",", paramLabel = "B[,B...]",
            description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--kinds", defaultValue = "depth,depth+pose", split = ",", paramLabel = "depth|depth+pose",
            description = "What to run per frame (default: ${DEFAULT-VALUE}).")
    List<String> kinds;

    @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds per configuration (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--frames", defaultValue = "16", description = "Frames per round (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = "Where the model runs (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--python", paramLabel = "PYTHON",
            description = "Also measure PyTorch eager with this interpreter (e.g. /usr/bin/python3 with python3-torch):"
                    + " inference, and with --training the training step.")
    Path python;

    @Option(names = "--no-synth", description = "Skip measuring synthetic-drive rendering and KITTI-archive decoding at"
            + " 1242x375.")
    boolean noSynth;

    @Option(names = "--no-inference", description = "Skip the inference measurements.")
    boolean noInference;

    @Option(names = "--training", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure training steps with and without each --triplet term (and, with --python,"
                    + " PyTorch's monodepth2 training step); --no-training skips them.")
    boolean training;

    @Option(names = "--training-batch", defaultValue = "4",
            description = "Batch of the training measurement (default: ${DEFAULT-VALUE}).")
    int trainingBatch;

    @Option(names = "--training-steps", defaultValue = "1",
            description = "Training steps per round (default: ${DEFAULT-VALUE}).")
    int trainingSteps;

    @Option(names = "--triplet", paramLabel = "TERM[,TERM...]", defaultValue = "fsre,isolated,differential",
            split = ",", description = "Triplet terms the training measurement adds, one objective each:"
                    + " fsre|isolated|differential (default: ${DEFAULT-VALUE}).",
            converter = LossCommand.TripletConverter.class)
    List<TripletChoice> triplets;

    @Option(names = "--pipeline", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure the streaming job through an in-process Kafka broker and Flink MiniCluster against"
                    + " the bare model and an in-process loop, at --pipeline-batch; --no-pipeline skips it.")
    boolean pipeline;

    @Option(names = "--pipeline-batch", defaultValue = "4",
            description = "Inference batch of the pipeline measurement (default: ${DEFAULT-VALUE}).")
    int pipelineBatch;

    @Option(names = "--decode", defaultValue = "auto", paramLabel = "auto|overlapped|between-batches",
            description = "The streaming job's model.decode in the pipeline and capacity measurements (default:"
                    + " ${DEFAULT-VALUE}: between batches when inference has every core, as here with as many torch"
                    + " threads as cores).")
    String decode;

    @Option(names = "--pipeline-frames", defaultValue = "60",
            description = "Frames per camera (2 cameras) of the pipeline measurement (default: ${DEFAULT-VALUE}).")
    int pipelineFrames;

    @Option(names = "--fine-tune", description = "Also measure the streaming job with online fine-tuning on against"
            + " off, same run, same frames, batch and model (order: off, on, off); needs the pipeline measurement."
            + " Adds two more runs of the job.")
    boolean fineTune;

    @Option(names = "--capacity", description = "Also measure the cameras at 10 Hz the streaming job sustains, for"
            + " resnet18 and lite (see above).")
    boolean capacity;

    @Option(names = "--training-job", description = "Also measure the offline training job (synthetic 1242x375 frames"
            + " from zip archives, parallel decoding, one learner) against a bare training loop of the same model, at"
            + " --training-batch.")
    boolean trainingJob;

    @Option(names = "--training-job-steps", defaultValue = "4",
            description = "Counted steps of each side of the training-job measurement (default: ${DEFAULT-VALUE}).")
    int trainingJobSteps;

    @Option(names = "--json", defaultValue = "bench.json", paramLabel = "FILE",
            description = "Where the JSON results go (default: ${DEFAULT-VALUE}).")
    Path json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (String kind : kinds) {
            if (!kind.equals(InferenceBenchmark.DEPTH)
                    && !kind.equals(InferenceBenchmark.DEPTH_POSE)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "unknown kind '" + kind + "': expected depth or depth+pose");
            }
        }
        if (rounds < 1 || frames < 1 || batches.stream().anyMatch(b -> b < 1)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--rounds, --frames and every --batch must be at least 1");
        }
        if (training && (trainingBatch < 1 || trainingSteps < 1 || triplets.isEmpty()
                || triplets.contains(TripletChoice.NONE))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "training steps need --training-batch and --training-steps of at least 1 and --triplet terms"
                            + " among fsre, isolated, differential (--no-training skips them)");
        }
        if (pipeline && (pipelineBatch < 1 || pipelineFrames < 3)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--pipeline-batch must be at least 1 and --pipeline-frames at least 3 (--no-pipeline skips it)");
        }
        if (fineTune && !pipeline) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--fine-tune measures the streaming job: it cannot be combined with --no-pipeline");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelConfig config = ModelConfig.monodepth2(Architecture.parse(architecture)).withSize(height, width);
        BenchmarkMachine machine = BenchmarkMachine.current();
        err.printf("bench: %s %dx%d on %s (%d cores, %d torch threads)%n", config.architecture().configName(), width,
                height, machine.cpu(), machine.cores(), machine.torchThreads());
        BenchmarkReport report;
        try (DepthModel model = DepthModel.initialise(config,
                DeviceChoice.parse(device).resolve(Engine.getInstance()), 0)) {
            report = BenchmarkReport.measure(model, machine, noInference ? List.of() : kinds, batches, rounds, frames,
                    noInference ? null : python, locateScript("monodepth2_eager.py"), !noSynth, err);
            if (training) {
                Map<String, LossConfig> objectives = new LinkedHashMap<>();
                for (TripletChoice triplet : triplets) {
                    objectives.put(triplet.term(), triplet.applyTo(LossConfig.monodepth2()));
                }
                report = report.plusTraining(new TrainingBenchmark(model, rounds, trainingSteps, err), trainingBatch,
                        objectives, python, locateScript("monodepth2_train.py"));
            }
        }
        PipelineBenchmark.Result pipelineResult = null;
        FineTuneComparison fineTuneResult = null;
        if (pipeline) {
            PipelineBenchmark.Outcome outcome =
                    new PipelineBenchmark(config, pipelineBatch, 2, pipelineFrames, 1, decode, err).run(fineTune);
            pipelineResult = outcome.pipeline();
            fineTuneResult = outcome.fineTune();
        }
        List<CapacityBenchmark.Figure> capacityFigures = List.of();
        if (capacity) {
            List<ModelConfig> models = new ArrayList<>();
            for (Architecture arch : List.of(Architecture.RESNET18, Architecture.LITE)) {
                models.add(ModelConfig.monodepth2(arch).withSize(height, width));
            }
            capacityFigures = new CapacityBenchmark(pipelineBatch, pipelineFrames, decode, err).run(models);
        }
        TrainingJobBenchmark.Result trainingJobResult = null;
        if (trainingJob) {
            trainingJobResult = new TrainingJobBenchmark(config, trainingBatch, trainingJobSteps,
                    Runtime.getRuntime().availableProcessors(), err).run();
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = report.toJson(mapper);
        if (pipelineResult != null) {
            root.put("pipeline_fps", pipelineResult.pipelineFps());
            root.put("pipeline_ratio", pipelineResult.ratio());
            root.put("latency_ms_p50", pipelineResult.latencyMsP50());
            root.put("latency_ms_p99", pipelineResult.latencyMsP99());
            root.put("pipeline_decode", pipelineResult.decode());
            root.set("pipeline", mapper.valueToTree(pipelineResult));
        }
        if (fineTuneResult != null) {
            root.set("fine_tune", fineTuneJson(mapper, fineTuneResult));
        }
        if (!capacityFigures.isEmpty()) {
            root.set("capacity", capacityJson(mapper, capacityFigures));
        }
        Optional<ProcessMemory> memory = ProcessMemory.current();
        memory.ifPresent(m -> {
            ObjectNode node = root.putObject("memory");
            node.put("peak_rss_mib", m.peakRssBytes() / MIB);
            node.put("rss_mib", m.rssBytes() / MIB);
            node.put("heap_committed_mib", m.heapCommittedBytes() / MIB);
            node.put("heap_used_mib", m.heapUsedBytes() / MIB);
            node.put("off_heap_mib", m.offHeapBytes() / MIB);
        });
        if (trainingJobResult != null) {
            ObjectNode node = mapper.valueToTree(trainingJobResult);
            node.put("job_images_per_s", trainingJobResult.jobImagesPerSecond());
            node.put("bare_images_per_s", trainingJobResult.bareImagesPerSecond());
            node.put("ratio", trainingJobResult.ratio());
            root.set("training_job", node);
        }
        Files.writeString(json, mapper.writeValueAsString(root));
        out.print(report.toMarkdown());
        if (pipelineResult != null) {
            out.println();
            out.print(pipelineTable(pipelineResult));
        }
        if (fineTuneResult != null) {
            out.println();
            out.print(fineTuneTable(fineTuneResult));
        }
        if (!capacityFigures.isEmpty()) {
            out.println();
            out.print(capacityTable(capacityFigures));
        }
        if (trainingJobResult != null) {
            out.println();
            out.print(trainingJobTable(trainingJobResult));
        }
        memory.ifPresent(m -> {
            out.println();
            out.printf(Locale.ROOT, "memory: peak resident %.0f MiB; at the end resident %.0f MiB, Java heap committed"
                    + " %.0f MiB (%.0f used), outside the heap %.0f MiB%n", m.peakRssBytes() / MIB,
                    m.rssBytes() / MIB, m.heapCommittedBytes() / MIB, m.heapUsedBytes() / MIB,
                    m.offHeapBytes() / MIB);
        });
        out.println();
        out.println("wrote " + json.toAbsolutePath());
        out.flush();
        return 0;
    }

    private static final double MIB = 1024.0 * 1024.0;

    static String pipelineTable(PipelineBenchmark.Result r) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "| streaming job, batch %d, %d frames | frames/s |%n|---|---|%n",
                r.frames() == 0 ? 0 : Math.round(r.meanBatch()), r.frames()));
        table.append(String.format(Locale.ROOT, "| job (Kafka → Flink → Kafka), steady state | %.2f |%n",
                r.pipelineFps()));
        table.append(String.format(Locale.ROOT, "| job, first to last result | %.2f |%n",
                r.pipelineFpsWholeRun()));
        table.append(String.format(Locale.ROOT, "| bare model before / after | %.2f / %.2f |%n", r.modelFpsBefore(),
                r.modelFpsAfter()));
        table.append(String.format(Locale.ROOT, "| in-process loop (decode, resize, model, encode) | %.2f |%n",
                r.loopFps()));
        table.append(String.format(Locale.ROOT, "| job / bare model | %.2f |%n", r.ratio()));
        table.append(String.format(Locale.ROOT, "| job / in-process loop | %.2f |%n", r.pipelineFps() / r.loopFps()));
        table.append(String.format(Locale.ROOT, "%ndecode: %s%n", r.decode()));
        table.append(String.format(Locale.ROOT, "latency p50 %.0f ms, p99 %.0f ms; mean batch %.2f; ms per frame:",
                r.latencyMsP50(), r.latencyMsP99(), r.meanBatch()));
        r.stageMsPerFrame().forEach((stage, ms) -> table.append(String.format(Locale.ROOT, " %s %.1f", stage, ms)));
        table.append(String.format(Locale.ROOT, "%n"));
        return table.toString();
    }

    /** Per model: {@code cameras_at_10hz_every_frame}, {@code latest_frame_served_share} and how they were found. */
    static ObjectNode capacityJson(ObjectMapper mapper, List<CapacityBenchmark.Figure> figures) {
        ObjectNode node = mapper.createObjectNode();
        for (CapacityBenchmark.Figure f : figures) {
            ObjectNode model = node.putObject(f.arch() + "_" + f.width() + "x" + f.height());
            model.put("cameras_at_10hz_every_frame", f.camerasAt10Hz());
            model.put("latest_frame_served_share", f.liveServedShare());
            model.put("decode", f.decode());
            model.put("flat_out_fps", f.flatOutFps());
            model.put("paced_fps", f.pacedFps());
            model.put("sustained", f.sustained());
            model.put("lag_ms_first_third_p50", f.lagFirstThirdMs());
            model.put("lag_ms_last_third_p50", f.lagLastThirdMs());
            model.put("lag_ms_p99", f.lagP99Ms());
            model.put("latest_frame_sent", f.liveSent());
            model.put("latest_frame_served", f.liveServed());
            model.put("latest_frame_latency_ms_p50", f.liveLatencyP50Ms());
            model.put("latest_frame_latency_ms_p99", f.liveLatencyP99Ms());
        }
        return node;
    }

    static String capacityTable(List<CapacityBenchmark.Figure> figures) {
        StringBuilder table = new StringBuilder("| capacity (2 cameras) | every frame: cameras at 10 Hz | flat out"
                + " frames/s | paced frames/s, lag first → last third (p99) | latest frame at 10 Hz: served,"
                + " latency p50 / p99 |%n|---|---|---|---|---|%n".formatted());
        for (CapacityBenchmark.Figure f : figures) {
            table.append(String.format(Locale.ROOT, "| %s %dx%d | %.2f%s | %.2f | %.2f, %.0f → %.0f ms (%.0f) | %.0f%%"
                            + " (%d of %d), %.0f / %.0f ms |%n", f.arch(), f.width(), f.height(), f.camerasAt10Hz(),
                    f.sustained() ? "" : " (not sustained)", f.flatOutFps(), f.pacedFps(), f.lagFirstThirdMs(),
                    f.lagLastThirdMs(), f.lagP99Ms(), 100 * f.liveServedShare(), f.liveServed(), f.liveSent(),
                    f.liveLatencyP50Ms(), f.liveLatencyP99Ms()));
        }
        table.append(String.format(Locale.ROOT, "%ndecode: %s%n", figures.get(0).decode()));
        return table.toString();
    }

    static ObjectNode fineTuneJson(ObjectMapper mapper, FineTuneComparison f) {
        ObjectNode node = mapper.createObjectNode();
        node.put("fps_off", f.fpsOff());
        node.put("fps_on", f.fpsOn());
        node.put("fps_ratio", f.fpsRatio());
        node.put("latency_ms_p50_off", f.latencyMsP50Off());
        node.put("latency_ms_p50_on", f.latencyMsP50On());
        node.put("latency_ms_p99_off", f.latencyMsP99Off());
        node.put("latency_ms_p99_on", f.latencyMsP99On());
        node.put("p99_ratio", f.p99Ratio());
        node.put("learner_steps", f.learnerSteps());
        node.put("published_versions", f.publishedVersions());
        node.put("rejected_candidates", f.rejectedCandidates());
        node.put("dropped_triplets", f.droppedTriplets());
        putFinite(node, "learner_cpu_share", f.learnerCpuShare());
        putFinite(node, "learner_cpu_s", f.learnerCpuSeconds());
        node.put("learner_threads", f.learnerThreads());
        node.put("process_cpu_s_on", f.processCpuSecondsOn());
        node.put("window_s_on", f.windowSecondsOn());
        node.put("cores", f.cores());
        node.put("throughput_drop", f.throughputDrop());
        node.put("evaluate_every", f.evaluateEvery());
        node.put("held_out_every", f.heldOutEvery());
        node.set("results_per_version", mapper.valueToTree(f.resultsPerVersion()));
        var runs = node.putArray("runs");
        for (FineTuneComparison.JobRun r : f.runs()) {
            ObjectNode run = runs.addObject();
            run.put("fine_tuning", r.fineTuning());
            run.put("frames", r.frames());
            run.put("fps", r.fps());
            run.put("latency_ms_p50", r.latencyMsP50());
            run.put("latency_ms_p99", r.latencyMsP99());
            run.put("mean_batch", r.meanBatch());
            run.put("window_s", r.windowSeconds());
            run.put("process_cpu_s", r.processCpuSeconds());
            if (r.fineTuning()) {
                putFinite(run, "learner_cpu_s", r.learnerCpuSeconds());
            }
        }
        return node;
    }

    /** Puts {@code value}, or null when it is not a finite number (JSON has no NaN). */
    private static void putFinite(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }

    static String fineTuneTable(FineTuneComparison f) {
        StringBuilder table = new StringBuilder();
        FineTuneComparison.JobRun on = f.runs().stream().filter(FineTuneComparison.JobRun::fineTuning).findFirst()
                .orElseThrow();
        table.append(String.format(Locale.ROOT, "| streaming job, %d frames, runs off / on / off | fine-tuning off |"
                + " fine-tuning on | on / off |%n|---|---|---|---|%n", on.frames()));
        table.append(String.format(Locale.ROOT, "| results/s | %.2f | %.2f | %.2f |%n", f.fpsOff(), f.fpsOn(),
                f.fpsRatio()));
        table.append(String.format(Locale.ROOT, "| latency p50 (ms) | %.0f | %.0f | %.2f |%n", f.latencyMsP50Off(),
                f.latencyMsP50On(), f.latencyMsP50On() / f.latencyMsP50Off()));
        table.append(String.format(Locale.ROOT, "| latency p99 (ms) | %.0f | %.0f | %.2f |%n", f.latencyMsP99Off(),
                f.latencyMsP99On(), f.p99Ratio()));
        table.append(String.format(Locale.ROOT, "%nper run, results/s:"));
        for (FineTuneComparison.JobRun r : f.runs()) {
            table.append(String.format(Locale.ROOT, " %s %.2f", r.fineTuning() ? "on" : "off", r.fps()));
        }
        table.append(String.format(Locale.ROOT, "%nlearner (candidate every %d steps): %d steps, %d versions"
                        + " published, %d candidates rejected, %d triplets dropped; results per version: %s%n",
                f.evaluateEvery(), f.learnerSteps(), f.publishedVersions(), f.rejectedCandidates(),
                f.droppedTriplets(), f.resultsPerVersion()));
        if (Double.isFinite(f.learnerCpuShare())) {
            table.append(String.format(Locale.ROOT, "learner's CPU share in the on run: %.2f (%.1f CPU s in %d threads"
                            + " over %.1f s x %d cores; the whole process used %.1f CPU s); throughput drop %.2f%n",
                    f.learnerCpuShare(), f.learnerCpuSeconds(), f.learnerThreads(), f.windowSecondsOn(), f.cores(),
                    f.processCpuSecondsOn(), f.throughputDrop()));
        } else {
            table.append(String.format(Locale.ROOT, "learner's CPU share not measured (its threads were not found);"
                    + " throughput drop %.2f%n", f.throughputDrop()));
        }
        return table.toString();
    }

    static String trainingJobTable(TrainingJobBenchmark.Result r) {
        return String.format(Locale.ROOT, "| training, %s %dx%d batch %d | triplets/s, median (min–max) |%n|---|---|%n"
                        + "| training job (%d readers) | %.3f (%.3f–%.3f) |%n| bare training loop | %.3f (%.3f–%.3f) |%n"
                        + "| job / bare loop | %.2f |%n",
                r.architecture(), r.width(), r.height(), r.batch(), r.parallelism(), r.jobImagesPerSecond(),
                min(r.jobStepRates()), max(r.jobStepRates()), r.bareImagesPerSecond(), min(r.bareStepRates()),
                max(r.bareStepRates()), r.ratio());
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** The Python scripts live in the source tree next to the jar's build directory. */
    private static Path locateScript(String name) {
        Path relative = Path.of("integration-tests", "bench", name);
        String root = System.getProperty("depthstream.home");
        if (root != null) {
            return Path.of(root).resolve(relative);
        }
        try {
            Path jar = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // pipeline/target/depthstream.jar or pipeline/target/classes -> repository root
            return jar.getParent().getParent().getParent().resolve(relative);
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return relative.toAbsolutePath();
        }
    }
}
