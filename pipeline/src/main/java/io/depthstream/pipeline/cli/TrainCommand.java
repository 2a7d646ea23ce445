package io.depthstream.pipeline.cli;

import ai.djl.Device;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.SplitFile;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.Monodepth2Import;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.online.OnlineLearnerConfig;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.operators.training.MetricsCsv;
import io.depthstream.operators.training.RunDirectory;
import io.depthstream.pipeline.config.TripletChoice;
import io.depthstream.pipeline.training.TrainingJob;
import io.depthstream.pipeline.training.TrainingJobConfig;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code depthstream train}: the offline training job on KITTI raw data, on a local Flink MiniCluster. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train depth and pose networks self-supervised on KITTI raw triplets (archives or folders) with the "
                    + "offline training job, on a local Flink MiniCluster.",
            "",
            "RUN_DIR receives run.json (the settings), metrics.csv (per step), validation.csv (per epoch), "
                    + "metrics.png (learning curves), skipped.txt (unusable split lines), weights/epoch_N/ after "
                    + "each epoch, checkpoints/step_S/ every --checkpoint-every steps, and weights/best/ (lowest "
                    + "validation loss). An interrupted run continues with --resume from its newest checkpoint, "
                    + "with the same step, learning rate and data position. Unusable lines (missing frames, "
                    + "corrupt PNGs) are skipped and listed; the run fails only when an epoch loses more than "
                    + "--max-skip-fraction of its lines.",
            "",
            "With --print-submit it prints how to run the same job from the job jar on a Flink cluster."
        })
public final class TrainCommand implements Callable<Integer> {

    /** Auto-mask warm-up of a run from random weights, in steps (see {@code --automask-warmup}). */
    static final int RANDOM_INIT_WARMUP = OnlineLearnerConfig.FROM_SCRATCH_AUTOMASK_WARMUP;

    /** Options that --resume takes from run.json and may not change. */
    private static final List<String> FIXED_ON_RESUME = List.of("--data", "--split-dir", "--train-split",
            "--val-split", "--batch", "--height", "--width", "--arch", "--init", "--seed", "--lr", "--lr-gamma",
            "--lr-step-epochs", "--triplet", "--no-augment", "--automask-warmup", "--checkpoint-every", "--keep-checkpoints",
            "--max-skip-fraction", "--lines-per-split");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "ROOT", description = "KITTI raw root (archives or folders).")
    Path data;

    @Option(names = "--split-dir", paramLabel = "DIR",
            description = "Folder with train_files.txt and val_files.txt (as monodepth2's splits/eigen_zhou).")
    Path splitDir;

    @Option(names = "--train-split", paramLabel = "FILE", description = "Training split ('date/drive frame side' lines).")
    Path trainSplit;

    @Option(names = "--val-split", paramLabel = "FILE", description = "Validation split, validated after each epoch.")
    Path valSplit;

    @Option(names = "--eval-split", paramLabel = "FILE",
            description = "At the end, the Eigen evaluation of the best weights on this split (needs velodyne scans).")
    Path evalSplit;

    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "The run's directory.")
    Path out;

    @Option(names = "--epochs", defaultValue = "20", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "12", description = "Triplets per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--height", defaultValue = "192", description = "Input height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--width", defaultValue = "640", description = "Input width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--arch", defaultValue = "resnet18", paramLabel = "resnet18|resnet50|lite",
            description = "Architecture of a randomly initialised model (default: ${DEFAULT-VALUE}).")
    String architecture;

    @Option(names = "--init", arity = "1..2", paramLabel = "random|WEIGHTS|monodepth2 DIR",
            description = "Start from a seeded random model (default), a native weights directory, or a monodepth2"
                    + " checkpoint folder (encoder.pth, depth.pth, pose_encoder.pth, pose.pth) imported into"
                    + " RUN_DIR/weights/init.")
    List<String> init;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seeds initialisation, shuffling, augmentation and loss noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Learning rate of the first epochs (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--lr-gamma", defaultValue = "0.1", description = "StepLR factor (default: ${DEFAULT-VALUE}).")
    double lrGamma;

    @Option(names = "--lr-step-epochs", defaultValue = "15",
            description = "StepLR period: the rate is multiplied by --lr-gamma every this many epochs (default: ${DEFAULT-VALUE}).")
    int lrStepEpochs;

    @Option(names = "--triplet", defaultValue = "none", paramLabel = "none|fsre|isolated|differential",
            description = "Triplet term added to the photometric objective (default: ${DEFAULT-VALUE}).")
    String triplet;

    @Option(names = "--automask-warmup", paramLabel = "STEPS",
            description = "Train the first STEPS steps with auto-masking off (default: " + RANDOM_INIT_WARMUP
                    + " from --init random, 0 from weights). From random weights the auto-mask takes the un-warped"
                    + " frame on a large share of the pixels, which then teach the depth nothing, and the depth"
                    + " barely learns; 0 is monodepth2's schedule.")
    Integer automaskWarmup;

    @Option(names = "--no-augment", description = "Train without colour jitter and flips.")
    boolean noAugment;

    @Option(names = "--parallelism", paramLabel = "P",
            description = "Parallel readers and decoders (default: the number of cores); the learner runs alone.")
    Integer parallelism;

    @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "STEPS",
            description = "Resumable checkpoint every this many steps, 0 for epochs only (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "2",
            description = "Step checkpoints kept (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--max-skip-fraction", defaultValue = "0.01", paramLabel = "F",
            description = "Fail when more than this fraction of an epoch's lines is unusable (default: ${DEFAULT-VALUE}).")
    double maxSkipFraction;

    @Option(names = "--lines-per-split", defaultValue = "16", hidden = true)
    int linesPerSplit;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = "Where the learner trains (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--resume", description = "Continue RUN_DIR from its newest checkpoint with its run.json settings"
            + " (--epochs, --parallelism, --device and --eval-split may change).")
    boolean resume;

    @Option(names = "--print-submit", description = "Write RUN_DIR/run.json and print how to submit the job to a"
            + " Flink cluster, then exit.")
    boolean printSubmit;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        RunDirectory run = new RunDirectory(out);
        TrainingJobConfig config = resume ? resumedConfig(run) : freshConfig(run);
        TrainingJob.Plan plan = TrainingJob.plan(config, resume);
        if (printSubmit) {
            stdout.println("settings written to " + run.runConfig().toAbsolutePath());
            stdout.println("submit from the repository root with:");
            stdout.println("  flink run -c io.depthstream.pipeline.training.TrainingJobMain"
                    + " pipeline/target/depthstream-pipeline-" + BuildInfo.load().version() + "-job.jar --config "
                    + run.runConfig().toAbsolutePath() + (resume ? " --resume" : ""));
            stdout.println("(on the standalone cluster of deploy/standalone/cluster.sh, deploy/standalone/flink takes"
                    + " the place of flink; the data, split files and RUN_DIR must be reachable under the same paths"
                    + " on the TaskManagers; the learner writes RUN_DIR)");
            stdout.flush();
            return 0;
        }
        describe(plan, stdout);
        if (plan.learner().startEpoch() >= config.epochs()) {
            stdout.printf(Locale.ROOT, "-> the run already finished its %d epochs at step %d; raise --epochs to train"
                    + " further%n", config.epochs(), plan.resume().progress().step());
            stdout.flush();
            return evaluateAtEnd(config, run, stdout, stderr);
        }
        int exit = runJob(plan, run, stderr);
        if (exit != 0) {
            return exit;
        }
        printEpochs(run, stdout);
        return evaluateAtEnd(config, run, stdout, stderr);
    }

    private TrainingJobConfig freshConfig(RunDirectory run) throws IOException {
        if (Files.exists(run.runConfig())) {
            throw new ParameterException(spec.commandLine(), run.root() + " already holds a run (run.json); continue"
                    + " it with --resume or choose another --out");
        }
        if (data == null) {
            throw new ParameterException(spec.commandLine(), "--data ROOT is required");
        }
        Path train = trainSplit;
        Path val = valSplit;
        if (splitDir != null) {
            if (trainSplit != null || valSplit != null) {
                throw new ParameterException(spec.commandLine(), "give --split-dir or --train-split/--val-split, not both");
            }
            train = splitDir.resolve("train_files.txt");
            val = splitDir.resolve("val_files.txt");
            if (!Files.exists(val)) {
                val = null;
            }
        }
        if (train == null) {
            throw new ParameterException(spec.commandLine(), "give --split-dir DIR or --train-split FILE");
        }
        requireReadable(train, "training split");
        if (val != null) {
            requireReadable(val, "validation split");
        }
        if (evalSplit != null) {
            requireReadable(evalSplit, "evaluation split");
        }
        TripletChoice.parse(triplet);
        DeviceChoice.parse(device);
        Architecture.parse(architecture);
        checkData(train);
        String initWeights = initialWeights(run);
        int h = height;
        int w = width;
        String arch = architecture;
        if (initWeights != null) {
            ModelConfig weights = ModelWeights.readConfig(Path.of(initWeights));
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            if ((parsed.hasMatchedOption("--height") && height != weights.height())
                    || (parsed.hasMatchedOption("--width") && width != weights.width())) {
                throw new ParameterException(spec.commandLine(), "the initial weights are " + weights.width() + "x"
                        + weights.height() + "; drop --height/--width or start from --init random");
            }
            h = weights.height();
            w = weights.width();
            arch = weights.architecture().configName();
        }
        TrainingJobConfig config = new TrainingJobConfig(
                abs(data), abs(train), val == null ? null : abs(val), evalSplit == null ? null : abs(evalSplit),
                abs(out), epochs, batch, h, w, arch, initWeights == null ? "random" : initWeights, seed, learningRate,
                lrGamma, lrStepEpochs, triplet, !noAugment,
                parallelism == null ? Runtime.getRuntime().availableProcessors() : parallelism, checkpointEvery,
                keepCheckpoints, maxSkipFraction, linesPerSplit, device,
                automaskWarmup != null ? automaskWarmup : initWeights == null ? RANDOM_INIT_WARMUP : 0);
        config.write(run.runConfig());
        return config;
    }

    private TrainingJobConfig resumedConfig(RunDirectory run) throws IOException {
        if (!Files.exists(run.runConfig())) {
            throw new ParameterException(spec.commandLine(), "nothing to resume: " + run.runConfig() + " does not exist");
        }
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        List<String> fixed = new ArrayList<>();
        for (String option : FIXED_ON_RESUME) {
            if (parsed.hasMatchedOption(option)) {
                fixed.add(option);
            }
        }
        if (!fixed.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--resume continues the run with its settings in "
                    + run.runConfig() + "; " + String.join(", ", fixed) + " cannot change (start a new --out instead)");
        }
        TrainingJobConfig config = TrainingJobConfig.read(run.runConfig());
        if (parsed.hasMatchedOption("--epochs")) {
            config = config.withEpochs(epochs);
        }
        if (parsed.hasMatchedOption("--parallelism")) {
            config = config.withParallelism(parallelism);
        }
        if (parsed.hasMatchedOption("--device")) {
            config = config.withDevice(device);
        }
        if (evalSplit != null) {
            requireReadable(evalSplit, "evaluation split");
            config = config.withEvalSplit(abs(evalSplit));
        }
        config.write(run.runConfig());
        return config;
    }

    /** The weights directory --init names (importing a monodepth2 checkpoint first), or null for random. */
    private String initialWeights(RunDirectory run) {
        if (init == null || init.isEmpty() || (init.size() == 1 && "random".equals(init.get(0)))) {
            return null;
        }
        if ("monodepth2".equals(init.get(0))) {
            if (init.size() != 2) {
                throw new ParameterException(spec.commandLine(), "--init monodepth2 needs the checkpoint folder: --init monodepth2 DIR");
            }
            Path target = run.weights().resolve("init");
            Monodepth2Import.Result imported = Monodepth2Import.load(Path.of(init.get(1)), Device.cpu());
            try (DepthModel model = imported.model()) {
                ModelWeights.save(model, target, Map.of("imported_from", abs(Path.of(init.get(1)))));
            }
            spec.commandLine().getOut().println("-> imported monodepth2 weights from " + init.get(1) + " into " + target
                    + (imported.poseImported() ? "" : " (no pose network in the checkpoint: the pose network starts random)"));
            return abs(target);
        }
        if (init.size() != 1) {
            throw new ParameterException(spec.commandLine(), "--init takes random, a weights directory, or monodepth2 DIR");
        }
        Path weights = Path.of(init.get(0));
        ModelWeights.readConfig(weights); // names the path when it is not a weights directory
        return abs(weights);
    }

    private void checkData(Path train) throws IOException {
        try (KittiRawArchive archive = KittiRawArchive.open(data)) {
            SplitFile split = SplitFile.read(train);
            if (split.size() == 0) {
                throw new ParameterException(spec.commandLine(), "the training split " + train + " lists no lines");
            }
            long missing = split.drives().stream().filter(drive -> !archive.hasDrive(drive)).count();
            if (missing == split.drives().size()) {
                throw new ParameterException(spec.commandLine(), "none of the " + split.drives().size() + " drives of "
                        + train + " is under " + data + " (e.g. " + split.drives().get(0) + ")");
            }
        }
    }

    private void requireReadable(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "the " + what + " " + file + " does not exist");
        }
    }

    private static String abs(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }

    private static void describe(TrainingJob.Plan plan, PrintWriter stdout) {
        TrainingJobConfig config = plan.config();
        stdout.printf(Locale.ROOT, "-> Training %s %dx%d from %s: %d lines x %d epochs, batch %d, lr %.3g (x%.3g every"
                        + " %d epochs), triplet %s, %d reader(s)%n",
                config.architecture(), config.width(), config.height(), config.init(), plan.learner().linesPerEpoch(),
                config.epochs(), config.batch(), config.learningRate(), config.lrGamma(), config.lrStepEpochs(),
                config.triplet(), config.parallelism());
        stdout.println("   run directory: " + config.runDirectory());
        if (plan.resume() != null) {
            stdout.printf(Locale.ROOT, "-> resuming from %s: step %d, epoch %d, %d of its lines done%n",
                    plan.resume().checkpoint(), plan.resume().progress().step(), plan.resume().progress().epoch() + 1,
                    plan.resume().progress().consumedLines().length);
        }
        stdout.flush();
    }

    private int runJob(TrainingJob.Plan plan, RunDirectory run, PrintWriter stderr) throws Exception {
        TrainingJobConfig config = plan.config();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                TrainingJob.localConfiguration());
        TrainingJob.define(env, plan);
        long stepsPerEpoch = (plan.learner().linesPerEpoch() + config.batch() - 1) / config.batch();
        long startStep = plan.resume() == null ? 0 : plan.resume().progress().step();
        long total = stepsPerEpoch * config.epochs();
        ProgressBar progress = ProgressBar.of("train", "step", Math.max(0, total - startStep), stderr);
        JobClient job = env.executeAsync(TrainingJob.NAME);
        Thread cancelOnExit = new Thread(() -> job.cancel());
        Runtime.getRuntime().addShutdownHook(cancelOnExit);
        long shown = startStep;
        try {
            while (true) {
                try {
                    job.getJobExecutionResult().get(500, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    shown = follow(run, progress, shown, config.epochs());
                } catch (ExecutionException e) {
                    progress.finish();
                    stderr.println("error: training failed: " + rootMessage(e));
                    stderr.println("(the run continues from its newest checkpoint with: depthstream train --out "
                            + config.runDirectory() + " --resume)");
                    stderr.flush();
                    return 1;
                }
            }
            follow(run, progress, shown, config.epochs());
            progress.finish();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnExit);
            } catch (IllegalStateException e) {
                // the JVM is shutting down; the hook cancels the job
            }
        }
        return 0;
    }

    /** Advances the bar to the newest row of metrics.csv and shows its epoch, loss and rate. */
    private static long follow(RunDirectory run, ProgressBar progress, long shown, int epochs) throws IOException {
        List<Map<String, Double>> rows = MetricsCsv.read(run.metricsCsv());
        if (rows.isEmpty()) {
            return shown;
        }
        Map<String, Double> last = rows.get(rows.size() - 1);
        long step = last.getOrDefault("step", 0.0).longValue();
        if (step > shown) {
            progress.detail(String.format(Locale.ROOT, "epoch %d/%d loss %.4f %.2f img/s",
                    last.getOrDefault("epoch", 0.0).intValue(), epochs, last.getOrDefault("loss", Double.NaN),
                    last.getOrDefault("images_per_s", Double.NaN)));
            progress.advance(step - shown);
            return step;
        }
        return shown;
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    private static void printEpochs(RunDirectory run, PrintWriter stdout) throws IOException {
        List<Map<String, Double>> rows = MetricsCsv.read(run.validationCsv());
        stdout.println();
        stdout.println("| epoch | step | train loss | val loss | abs_rel | a1 | img/s | skipped |");
        stdout.println("|---|---|---|---|---|---|---|---|");
        for (Map<String, Double> row : rows) {
            stdout.printf(Locale.ROOT, "| %d | %d | %.4f | %s | %s | %s | %.2f | %d |%n",
                    row.getOrDefault("epoch", 0.0).intValue(), row.getOrDefault("step", 0.0).longValue(),
                    row.getOrDefault("train_loss", Double.NaN), cell(row, "val_loss"), cell(row, "abs_rel"),
                    cell(row, "a1"), row.getOrDefault("images_per_s", Double.NaN),
                    row.getOrDefault("skipped", 0.0).intValue());
        }
        stdout.println();
        stdout.println("-> metrics: " + run.metricsCsv() + ", " + run.validationCsv() + ", " + run.metricsPng());
        if (Files.exists(run.bestWeights())) {
            stdout.println("-> best weights (lowest validation loss): " + run.bestWeights());
        }
        if (Files.exists(run.skipped()) && Files.size(run.skipped()) > 0) {
            stdout.println("-> skipped lines: " + run.skipped());
        }
        stdout.flush();
    }

    private static String cell(Map<String, Double> row, String column) {
        Double value = row.get(column);
        return value == null || value.isNaN() ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }

    /** The Eigen evaluation of --eval-split: of weights/best, or of the last epoch's weights without validation. */
    private int evaluateAtEnd(TrainingJobConfig config, RunDirectory run, PrintWriter stdout, PrintWriter stderr)
            throws IOException {
        if (config.evalSplit() == null) {
            return 0;
        }
        Path weights = run.bestWeights();
        if (!Files.exists(weights)) {
            List<Path> epochsDone = run.epochCheckpoints();
            if (epochsDone.isEmpty()) {
                stderr.println("error: no weights to evaluate in " + run.weights());
                return 1;
            }
            weights = epochsDone.get(epochsDone.size() - 1);
        }
        stdout.println("-> Eigen evaluation of " + weights + " on " + config.evalSplit());
        stdout.flush();
        CommandLine eval = DepthstreamCommand.newCommandLine();
        eval.setOut(stdout);
        eval.setErr(stderr);
        return eval.execute("eval", "--data", config.data(), "--split", config.evalSplit(), "--weights",
                weights.toString(), "--device", config.device(), "--json", run.root().resolve("eval.json").toString());
    }
}
