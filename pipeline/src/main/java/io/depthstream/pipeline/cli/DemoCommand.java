package io.depthstream.pipeline.cli;

import io.depthstream.pipeline.embedded.Demo;
import io.depthstream.pipeline.embedded.DemoOptions;
import io.depthstream.pipeline.embedded.DemoProgress;
import io.depthstream.pipeline.embedded.DemoSummary;
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
                    + "published_versions, heldout_loss_first/last, abs_rel_first_version/last_version.",
            "",
            "Without --weights the model is a seeded random network: the pipeline runs for real, but its depth is "
                    + "meaningless and the summary says so."
        })
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "ROOT",
            description = "KITTI raw root (archives or folders) to replay instead of synthetic drives.")
    Path data;

    @Option(names = "--cameras", defaultValue = "2", paramLabel = "N",
            description = "Cameras (drives) to stream side by side (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(names = "--frames", defaultValue = "30", paramLabel = "M",
            description = "Frames per synthetic drive (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the drives and of a random model "
            + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--weights", paramLabel = "WEIGHTS", description = "Native weights directory of a trained model.")
    Path weights;

    @Option(names = "--arch", defaultValue = "resnet18", paramLabel = "resnet18|resnet50|lite",
            description = "Architecture of the random model (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--height", defaultValue = "192", description = "Input height of the random model "
            + "(default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--width", defaultValue = "640", description = "Input width of the random model "
            + "(default: ${DEFAULT-VALUE}).")
    int width;

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
        DemoOptions options = new DemoOptions(data, cameras, frames, seed, weights, arch, height, width, batchSize,
                rateHz, outDir, Duration.ofSeconds(timeoutSeconds), fineTune);
        if (weights == null) {
            err.println("note: no --weights, so the model is a seeded random " + arch
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
        out.append("model            ").append(s.modelVersion()).append('\n');
        DemoSummary.FineTuneSummary f = s.fineTune();
        if (f != null) {
            out.append(String.format(Locale.ROOT, "fine-tuning      %d steps, %d version(s) published, last %s%n",
                    f.steps(), f.publishedVersions(), f.lastVersion()));
            out.append("  results by     ").append(f.resultsPerVersion()).append('\n');
            if (f.heldoutLossFirst() != null) {
                out.append(String.format(Locale.ROOT, "  held-out loss  %.4f (v0) -> %.4f (%s)%n", f.heldoutLossFirst(),
                        f.heldoutLossLast(), f.lastVersion()));
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
