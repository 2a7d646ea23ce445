package io.depthstream.pipeline.bench;

import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.loss.BoundarySource;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.StepPhases;
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
     * @param triplets each triplet term's name (for the measurement key) and the objective with that term; the
     *     photometric part of the first is the baseline
     * @return the baseline and one measurement per triplet term, in frames (samples) per second
     */
    public List<Measurement> run(int batch, Map<String, LossConfig> triplets) {
        try {
            return run(batch, triplets, null).measurements();
        } catch (IOException e) {
            throw new UncheckedIOException("no Python process was involved", e);
        }
    }

    /**
     * The measurements with PyTorch's training step as one more turn of every round: monodepth2's step in Python
     * at the same batch, size and thread count ({@code integration-tests/bench/monodepth2_train.py}).
     *
     * @param python the PyTorch training process, or null for the Java objectives alone
     * @return the baseline, per-term and (with {@code python}) {@link #PYTORCH} measurements, and the baseline's and
     *     PyTorch's seconds per step in each phase averaged over the measured rounds
     */
    Result run(int batch, Map<String, LossConfig> triplets, PythonEagerProcess python) throws IOException {
        if (triplets.isEmpty()) {
            throw new IllegalArgumentException("at least one triplet term is needed");
        }
        ModelConfig config = model.config();
        List<TrainingSample> samples = samples(batch, config);
        List<String> names = new ArrayList<>(List.of("photometric"));
        List<String> keys = new ArrayList<>(List.of("photometric"));
        List<TrainingStep> steps = new ArrayList<>();
        LossConfig baseline = triplets.values().iterator().next().withBoundarySource(BoundarySource.SEMANTIC)
                .withoutTriplet();
        steps.add(new TrainingStep(model, TrainingConfig.monodepth2(1).withLoss(baseline)));
        triplets.forEach((term, loss) -> {
            names.add("photometric+" + term);
            keys.add(term);
            steps.add(new TrainingStep(model,
                    TrainingConfig.monodepth2(1).withLoss(loss.withBoundarySource(BoundarySource.SEMANTIC))));
        });
        if (python != null) {
            names.add("pytorch photometric");
            keys.add(PYTORCH);
        }
        int turns = names.size();
        List<List<Double>> fps = new ArrayList<>();
        for (int i = 0; i < turns; i++) {
            fps.add(new ArrayList<>());
        }
        Map<String, Double> phases = new LinkedHashMap<>();
        Map<String, Double> javaPhases = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            for (int turn = 0; turn < turns; turn++) {
                // the order rotates every round, so no side always runs right after another
                int which = (round + turn) % turns;
                double seconds;
                if (which < steps.size()) {
                    long start = System.nanoTime();
                    for (int i = 0; i < stepsPerRound; i++) {
                        StepPhases split = steps.get(which).step(samples).phases();
                        if (which == 0 && round > 0) {
                            javaPhases.merge("data", split.data(), Double::sum);
                            javaPhases.merge("forward", split.forward(), Double::sum);
                            javaPhases.merge("backward", split.backward(), Double::sum);
                            javaPhases.merge("optimizer", split.optimizer(), Double::sum);
                        }
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
                progress.printf("  training   batch %d round %d%s: %-36s %.3f frames/s (%.2f s/step)%n", batch, round,
                        round == 0 ? " (warm-up)" : "", names.get(which), value, batch / value);
                progress.flush();
            }
        }
        List<Measurement> measurements = new ArrayList<>();
        for (int i = 0; i < turns; i++) {
            measurements.add(new Measurement(key(batch, keys.get(i)), fps.get(i)));
        }
        return new Result(measurements, perStep(javaPhases), perStep(phases));
    }

    private Map<String, Double> perStep(Map<String, Double> totals) {
        Map<String, Double> perStep = new LinkedHashMap<>();
        totals.forEach((phase, s) -> perStep.put(phase, s / ((double) rounds * stepsPerRound)));
        return perStep;
    }

    /**
     * What {@link #run(int, Map, PythonEagerProcess)} measured.
     *
     * @param measurements baseline, one per triplet term and, when PyTorch ran, its measurement
     * @param phases the photometric baseline's seconds per step by phase (data, forward, backward, optimizer)
     * @param pytorchPhases PyTorch's seconds per step by phase (data, forward, backward, optimizer); empty without it
     */
    record Result(List<Measurement> measurements, Map<String, Double> phases, Map<String, Double> pytorchPhases) {
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
