package io.depthstream.pipeline.bench;

import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Raw model inference throughput (frames/s) per batch size, for depth alone and depth + pose, optionally round by
 * round against PyTorch eager in Python on the same machine and thread count.
 */
public final class InferenceBenchmark {

    /** Depth network only. */
    public static final String DEPTH = "depth";
    /** Depth network plus the pose network on one pair per frame, as the streaming job runs them. */
    public static final String DEPTH_POSE = "depth+pose";

    private final DepthModel model;
    private final int rounds;
    private final int framesPerRound;
    private final PrintWriter progress;

    /**
     * @param rounds measured rounds per configuration (one more, unmeasured, warms up first)
     * @param framesPerRound frames each round processes (at least one batch)
     * @param progress where a line per round goes
     */
    public InferenceBenchmark(DepthModel model, int rounds, int framesPerRound, PrintWriter progress) {
        this.model = model;
        this.rounds = rounds;
        this.framesPerRound = framesPerRound;
        this.progress = progress;
    }

    /**
     * Measures every (kind, batch); Java and Python rounds alternate so both see the same machine load.
     *
     * @param python the PyTorch side, or null for Java only
     * @return measurements keyed {@code "<kind> batch <b> java"} / {@code "... pytorch"}, in run order
     */
    Map<String, Measurement> run(List<String> kinds, List<Integer> batches, PythonEagerProcess python)
            throws IOException {
        DepthPredictor predictor = new DepthPredictor(model);
        ModelConfig config = model.config();
        Map<String, Measurement> results = new LinkedHashMap<>();
        for (int batch : batches) {
            List<float[]> images = randomImages(batch, config);
            int iterations = Math.max(1, framesPerRound / batch);
            for (String kind : kinds) {
                List<Double> java = new ArrayList<>();
                List<Double> pytorch = new ArrayList<>();
                for (int round = 0; round <= rounds; round++) {
                    double javaFps = iterations * batch / javaRound(predictor, kind, images, iterations);
                    double pythonFps = python == null ? Double.NaN
                            : iterations * batch / python.run(kind, batch, iterations);
                    if (round > 0) {
                        java.add(javaFps);
                        if (python != null) {
                            pytorch.add(pythonFps);
                        }
                    }
                    progress.printf("  %-10s batch %d round %d%s: java %.2f frames/s%s%n", kind, batch, round,
                            round == 0 ? " (warm-up)" : "", javaFps,
                            python == null ? "" : String.format(", pytorch %.2f frames/s", pythonFps));
                    progress.flush();
                }
                results.put(kind + " batch " + batch + " java", new Measurement(kind + " batch " + batch + " java", java));
                if (python != null) {
                    results.put(kind + " batch " + batch + " pytorch",
                            new Measurement(kind + " batch " + batch + " pytorch", pytorch));
                }
            }
        }
        return results;
    }

    static double javaRound(DepthPredictor predictor, String kind, List<float[]> images, int iterations) {
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            predictor.disparity(images);
            if (DEPTH_POSE.equals(kind)) {
                predictor.pose(images, images);
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    static List<float[]> randomImages(int batch, ModelConfig config) {
        Random random = new Random(batch);
        List<float[]> images = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[] image = new float[3 * config.height() * config.width()];
            for (int i = 0; i < image.length; i++) {
                image[i] = random.nextFloat();
            }
            images.add(image);
        }
        return Collections.unmodifiableList(images);
    }
}
