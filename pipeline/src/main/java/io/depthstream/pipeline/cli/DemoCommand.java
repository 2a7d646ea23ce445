package io.depthstream.pipeline.cli;

import io.depthstream.model.data.synth.Palette;
import io.depthstream.model.io.ShippedModel;
import io.depthstream.pipeline.embedded.Demo;
import io.depthstream.pipeline.embedded.DemoOptions;
import io.depthstream.pipeline.embedded.DemoProgress;
import io.depthstream.pipeline.embedded.DemoSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code depthstream demo}: the streaming job end to end on this machine, nothing to install or start first. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run the whole pipeline on this machine, nothing to install or start first.",
            "",
            "Render synthetic KITTI-format drives with exact depth (or use "
                    + "--data), start a real Kafka broker in-process (KRaft) and the streaming job on a Flink "
                    + "MiniCluster, replay the drives as live cameras, wait until every frame has its result, then "
                    + "stop everything and clean up.",
            "",
            "OUT (default depthstream-out/) receives per camera depth/<seq>.png (16-bit, depth x 256), "
                    + "color/<seq>.png (magma) and trajectory.txt (KITTI odometry), and summary.json: frames_in, "
                    + "results_out, dlq, fps, latency_ms_p50, latency_ms_p99, abs_rel and a1 against ground truth "
                    + "(synthetic drives have it), model_version; with --fine-tune also fine_tune: steps, "
                    + "published_versions, heldout_loss_first/last (photometric loss of v0 and the newest version "
                    + "on one more drive, rendered but never streamed), abs_rel_first_version/last_version.",
            "",
            "Without --weights the demo serves the shipped model lite-synthetic (lite 320x96, trained with "
                    + "depthstream's own train on synthetic drives, models/lite-synthetic/README.md): its depth maps show "
                    + "road, facades and cars, and summary.json reports its abs_rel on the demo's drives. On real "
                    + "camera images it does much worse (the domain gap): import monodepth2 weights "
                    + "(import-monodepth2) or train or fine-tune on your data. --init random serves a seeded random "
                    + "network instead (--arch, --height, --width), whose depth is meaningless.",
            "",
            "--fine-tune adapts the start model online to drives painted in other colours (--palette alternate, "
                    + "a domain shift), 240 frames of 640x192 per camera unless --frames or --size say otherwise, and reports each published "
                    + "version; with --init random it learns from scratch on standard drives."
        })
public final class DemoCommand implements Callable<Integer> {

    /** Frames per camera of a fine-tuning demo: enough for the learner to publish a few versions. */
    static final int FINE_TUNE_FRAMES = 240;
    /** Image size of a fine-tuning demo's drives: more frames in the same rendering time. */
    static final String FINE_TUNE_SIZE = "640x192";

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "ROOT",
            description = "KITTI raw root (archives or folders) to replay instead of synthetic drives.")
    Path data;

    @Option(names = "--cameras", defaultValue = "2", paramLabel = "N",
            description = "Cameras (drives) to stream side by side (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(names = "--frames", paramLabel = "M",
            description = "Frames per synthetic drive (default: 30; with --fine-tune " + FINE_TUNE_FRAMES + ").")
    Integer frames;

    @Option(names = "--size", paramLabel = "WxH", description = "Image size of the synthetic drives (default: KITTI's "
            + "1242x375; with --fine-tune " + FINE_TUNE_SIZE + ", which renders four times faster).")
    String size;

    @Option(names = "--palette", paramLabel = "standard|alternate", description = "Surface colours of the synthetic "
            + "drives (default: standard; alternate, a domain shift, with --fine-tune from a trained model).")
    String palette;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the drives and of a random model "
            + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--weights", paramLabel = "WEIGHTS", description = "Native weights directory of a trained model.")
    Path weights;

    @Option(names = "--init", paramLabel = "synthetic|random", description = "Without --weights: synthetic, the "
            + "shipped model (default), or random, a seeded random network.")
    String init;

    @Option(names = "--arch", paramLabel = "resnet18|resnet50|lite",
            description = "Architecture of the --init random model (default: resnet18).")
    String arch;

    @Option(names = "--height", description = "Input height of the --init random model (default: 192).")
    Integer height;

    @Option(names = "--width", description = "Input width of the --init random model (default: 640).")
    Integer width;

    @Option(names = "--batch-size", defaultValue = "4", paramLabel = "B",
            description = "Triplets per inference batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--rate", defaultValue = "10", paramLabel = "HZ|max",
            description = "Replay rate per camera (default: ${DEFAULT-VALUE}, KITTI's capture rate).")
    String rate;

    @Option(names = "--out-dir", defaultValue = "depthstream-out", paramLabel = "OUT",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--fine-tune", description = "Fine-tune the model online while it serves: the learner trains on "
            + "sampled triplets, publishes each version its regression guard accepts to OUT/models (emptied first) "
            + "and inference switches to it; summary.json gains fine_tune. The demo's learner judges a candidate "
            + "every 4 steps and trains all the time on one thread (stream's default: half the time), on batches "
            + "drawn at random from the recent triplets, each used 4 times on average (stream's default: once, in "
            + "order). From random weights its first 300 steps train without the auto-mask.")
    boolean fineTune;

    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "Longest wait for the results once every frame is sent (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        double rateHz = ReplayCommand.parseRate(rate);
        if (weights != null && init != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --weights or --init, not both");
        }
        String model = weights != null ? null : init == null ? ShippedModel.SYNTHETIC.initName() : init;
        boolean random = "random".equals(model);
        if (!random && (arch != null || height != null || width != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--arch, --height and --width describe a "
                    + "random network: give them with --init random (the shipped model and --weights bring their own)");
        }
        int[] renderSize = SynthCommand.parseSize(size != null ? size : fineTune ? FINE_TUNE_SIZE : "1242x375");
        Palette colours = palette != null ? Palette.parse(palette)
                : fineTune && !random ? Palette.ALTERNATE : Palette.STANDARD;
        DemoOptions options = new DemoOptions(data, cameras, frames != null ? frames : fineTune ? FINE_TUNE_FRAMES : 30,
                seed, weights, model, arch != null ? arch : "resnet18", height != null ? height : 192,
                width != null ? width : 640, batchSize, rateHz, outDir, Duration.ofSeconds(timeoutSeconds), fineTune,
                colours, renderSize[0], renderSize[1]);
        if (random) {
            err.println("note: --init random, so the model is a seeded random " + options.arch()
                    + " network; its depth is meaningless (the pipeline itself runs for real)");
        }
        DemoSummary summary = new Demo(options, new BarProgress(err)).run();
        out.println(table(summary));
        out.println("outputs in " + outDir.toAbsolutePath() + " (summary.json, per-camera depth/, color/, "
                + "trajectory.txt)");
        out.flush();
        return summary.resultsOut() == summary.framesIn() ? 0 : 1;
    }

    static String table(DemoSummary s) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "frames in        %d%n", s.framesIn()));
        out.append(String.format(Locale.ROOT, "results out      %d depth, %d poses (%s)%n", s.resultsOut(),
                s.posesOut(), s.resultsPerCamera()));
        out.append(String.format(Locale.ROOT, "dead letters     %d%n", s.dlq()));
        out.append(String.format(Locale.ROOT, "throughput       %.1f frames/s (first frame sent to last result"
                + " committed)%n", s.fps()));
        out.append(String.format(Locale.ROOT, "latency          p50 %.0f ms, p99 %.0f ms (record read to result)%n",
                s.latencyMsP50(), s.latencyMsP99()));
        if (s.absRel() != null) {
            out.append(String.format(Locale.ROOT, "vs ground truth  abs_rel %.3f, a1 %.3f over %d frames%n",
                    s.absRel(), s.a1(), s.evaluatedFrames()));
        }
        out.append("model            ").append(s.model());
        if (!s.model().startsWith(s.modelVersion())) {
            out.append("; newest version served ").append(s.modelVersion());
        }
        out.append('\n');
        DemoSummary.FineTuneSummary f = s.fineTune();
        if (f != null) {
            out.append(String.format(Locale.ROOT, "fine-tuning      %d steps, %d version(s) published, last %s%n",
                    f.steps(), f.publishedVersions(), f.lastVersion()));
            out.append("  results by     ").append(f.resultsPerVersion()).append('\n');
            if (f.heldoutLossFirst() != null) {
                out.append(String.format(Locale.ROOT, "  held-out drive %.4f (v0) -> %.4f (%s) photometric loss%n",
                        f.heldoutLossFirst(), f.heldoutLossLast(), f.lastVersion()));
            }
            if (f.absRelFirstVersion() != null) {
                out.append(String.format(Locale.ROOT, "  abs_rel        %.3f (v0) -> %.3f (%s)%n",
                        f.absRelFirstVersion(), f.absRelLastVersion(), f.lastVersion()));
            }
        }
        out.append("note             ").append(s.note());
        return out.toString();
    }

    /** Phases as lines, rendering and results as progress bars on stderr. */
    private static final class BarProgress implements DemoProgress {
        private final PrintWriter err;
        private ProgressBar bar;
        /** Learner events seen while a bar was drawn: shown on the bar, then as lines once it is done. */
        private final List<String> pending = new ArrayList<>();
        /** The label of a bar that already reached its total in this phase: later reports repeat it, not restart it. */
        private String completed;

        BarProgress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void phase(String description) {
            finishBar();
            completed = null;
            err.println("- " + description);
        }

        @Override
        public void learner(String event) {
            if (bar == null) {
                err.println("- " + event);
                return;
            }
            bar.detail(event);
            pending.add(event);
        }

        @Override
        public void rendered(int done, int total) {
            advance("render", "frames", done, total);
        }

        @Override
        public void results(int done, int total) {
            advance("results", "frames", done, total);
        }

        private void advance(String label, String unit, int done, int total) {
            if (label.equals(completed)) {
                return;
            }
            if (bar == null) {
                bar = ProgressBar.of(label, unit, total, err);
            }
            bar.advance(done - bar.done());
            if (done >= total) {
                finishBar();
                completed = label;
            }
        }

        private void finishBar() {
            if (bar != null) {
                bar.detail("");
                bar.finish();
                bar = null;
            }
            for (String event : pending) {
                err.println("- " + event);
            }
            pending.clear();
        }
    }
}
