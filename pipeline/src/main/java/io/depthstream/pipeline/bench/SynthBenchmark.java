package io.depthstream.pipeline.bench;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Synthetic-drive rendering speed at KITTI's 1242×375: camera frames (colour + depth) and velodyne sweeps per second. */
public final class SynthBenchmark {

    /** Key of the rendering measurement. */
    public static final String RENDER = "synth render 1242x375";
    /** Key of the velodyne sweep measurement. */
    public static final String SCAN = "synth velodyne sweep";

    private SynthBenchmark() {}

    /**
     * Renders {@code rounds + 1} rounds of {@code framesPerRound} consecutive frames (the first round warms up).
     *
     * @return the render and sweep measurements, keyed {@link #RENDER} and {@link #SCAN}
     */
    static List<Measurement> run(int rounds, int framesPerRound, PrintWriter progress) {
        SyntheticDrive drive = SyntheticDrive.generate(1, DriveOptions.kitti((rounds + 1) * framesPerRound));
        List<Double> render = new ArrayList<>();
        List<Double> scan = new ArrayList<>();
        int frame = 0;
        for (int round = 0; round <= rounds; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < framesPerRound; i++) {
                drive.render(frame + i);
            }
            double renderFps = framesPerRound / ((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            for (int i = 0; i < framesPerRound; i++) {
                drive.scan(frame + i);
            }
            double scanFps = framesPerRound / ((System.nanoTime() - start) / 1e9);
            frame += framesPerRound;
            if (round > 0) {
                render.add(renderFps);
                scan.add(scanFps);
            }
            progress.printf("  synth      round %d%s: render %.2f frames/s, velodyne %.2f sweeps/s%n", round,
                    round == 0 ? " (warm-up)" : "", renderFps, scanFps);
            progress.flush();
        }
        return List.of(new Measurement(RENDER, render), new Measurement(SCAN, scan));
    }
}
