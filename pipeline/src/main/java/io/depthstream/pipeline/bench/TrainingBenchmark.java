package io.depthstream.pipeline.bench;

import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.loss.BoundarySource;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.TrainingConfig;
import io.depthstream.model.train.TrainingSample;
import io.depthstream.model.train.TrainingStep;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Training-step speed with the photometric objective alone and with a triplet term added, on the same model and
 * batch, and optionally PyTorch's monodepth2 step in Python: they alternate round by round (the order rotating
 * every round), so drifting machine load hits all alike.
 */
public final class TrainingBenchmark {

    /** Key prefix of the training measurements; the full key adds the batch and the objective. */
    public static final String TRAINING = "training";
    /** The objective name of PyTorch's monodepth2 training step (photometric objective) in measurement keys. */
    public static final String PYTORCH = "pytorch";

    private final DepthModel model;
    private final int rounds;
    private final int stepsPerRound;
    private final PrintWriter progress;

    /**
     * @param rounds measured rounds per objective (one warm-up round each comes first)
     * @param stepsPerRound training steps per round
     */
    public TrainingBenchmark(DepthModel model, int rounds, int stepsPerRound, PrintWriter progress) {
        this.model = model;
        this.rounds = rounds;
        this.stepsPerRound = stepsPerRound;
        this.progress = progress;
    }

    /** The key of a measurement of {@code objective} ("photometric" or a triplet term's name) at {@code batch}. */
    public static String key(int batch, String objective) {
        return TRAINING + " batch " + batch + " " + objective;
    }

    /**
     * Measures steps on random triplets with blocky random semantic maps (16×16-pixel cells of 4 classes).
     *
     * @param withTriplet the objective with its triplet term; its photometric part is the baseline
     * @param term the triplet term's name, for the measurement key
     * @return the baseline and the triplet measurements, in frames (samples) per second
     */
    public List<Measurement> run(int batch, LossConfig withTriplet, String term) {
        try {
            return run(batch, withTriplet, term, null).measurements();
        } catch (IOException e) {
            throw new UncheckedIOException("no Python process was involved", e);
        }
    }

    /**
     * The measurements with PyTorch's training step as a third turn of every round: monodepth2's step in Python
     * at the same batch, size and thread count ({@code integration-tests/bench/monodepth2_train.py}).
     *
     * @param python the PyTorch training process, or null for the two Java objectives alone
     * @return the baseline, triplet and (with {@code python}) {@link #PYTORCH} measurements, and PyTorch's seconds
     *     per step in each phase averaged over the measured rounds
     */
    Result run(int batch, LossConfig withTriplet, String term, PythonEagerProcess python) throws IOException {
        ModelConfig config = model.config();
        List<TrainingSample> samples = samples(batch, config);
        LossConfig triplet = withTriplet.withBoundarySource(BoundarySource.SEMANTIC);
        TrainingStep[] steps = {
            new TrainingStep(model, TrainingConfig.monodepth2(1).withLoss(triplet.withoutTriplet())),
            new TrainingStep(model, TrainingConfig.monodepth2(1).withLoss(triplet))
        };
        String[] names = {"photometric", "photometric+" + term, "pytorch photometric"};
        int turns = python == null ? 2 : 3;
        List<List<Double>> fps = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Map<String, Double> phases = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            for (int turn = 0; turn < turns; turn++) {
                // the order rotates every round, so no side always runs right after another
                int which = (round + turn) % turns;
                double seconds;
                if (which < 2) {
                    long start = System.nanoTime();
                    for (int i = 0; i < stepsPerRound; i++) {
                        steps[which].step(samples);
                    }
                    seconds = (System.nanoTime() - start) / 1e9;
                } else {
                    PythonTiming timing = python.train(batch, stepsPerRound);
                    seconds = timing.seconds();
                    if (round > 0) {
                        timing.phases().forEach((phase, s) -> phases.merge(phase, s, Double::sum));
                    }
                }
                double value = batch * stepsPerRound / seconds;
                if (round > 0) {
                    fps.get(which).add(value);
                }
                progress.printf("  training   batch %d round %d%s: %-28s %.3f frames/s (%.2f s/step)%n", batch, round,
                        round == 0 ? " (warm-up)" : "", names[which], value, batch / value);
                progress.flush();
            }
        }
        List<Measurement> measurements = new ArrayList<>(List.of(
                new Measurement(key(batch, "photometric"), fps.get(0)), new Measurement(key(batch, term), fps.get(1))));
        if (python != null) {
            measurements.add(new Measurement(key(batch, PYTORCH), fps.get(2)));
        }
        Map<String, Double> perStep = new LinkedHashMap<>();
        phases.forEach((phase, s) -> perStep.put(phase, s / ((double) rounds * stepsPerRound)));
        return new Result(measurements, perStep);
    }

    /**
     * What {@link #run(int, LossConfig, String, PythonEagerProcess)} measured.
     *
     * @param measurements baseline, triplet and, when PyTorch ran, its measurement
     * @param pytorchPhases PyTorch's seconds per step by phase (data, forward, backward, optimizer); empty without it
     */
    record Result(List<Measurement> measurements, Map<String, Double> pytorchPhases) {
    }

    private static List<TrainingSample> samples(int batch, ModelConfig config) {
        Random random = new Random(batch);
        int h = config.height();
        int w = config.width();
        List<TrainingSample> samples = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            float[][] frames = new float[3][3 * h * w];
            for (float[] frame : frames) {
                for (int i = 0; i < frame.length; i++) {
                    frame[i] = random.nextFloat();
                }
            }
            int cellsX = (w + 15) / 16;
            int[] cells = new int[((h + 15) / 16) * cellsX];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = random.nextInt(4);
            }
            int[] classes = new int[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    classes[y * w + x] = cells[(y / 16) * cellsX + x / 16];
                }
            }
            samples.add(new TrainingSample(frames[0], frames[1], frames[2], Intrinsics.kittiNormalised(w, h),
                    new SemanticMap(w, h, classes)));
        }
        return samples;
    }
}
