package io.depthstream.pipeline.bench;

import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.pipeline.embedded.ScratchDirectory;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Synthetic-drive rendering speed at KITTI's 1242×375 (camera frames with depth, velodyne sweeps per second) and
 * the speed of reading frames back from a KITTI raw archive: zip entry inflated, PNG decoded to RGB.
 */
public final class SynthBenchmark {

    /** Key of the rendering measurement. */
    public static final String RENDER = "synth render 1242x375";
    /** Key of the velodyne sweep measurement. */
    public static final String SCAN = "synth velodyne sweep";
    /** Key of the archive-decode measurement. */
    public static final String DECODE = "kitti archive decode 1242x375";

    private SynthBenchmark() {}

    /**
     * Renders {@code rounds + 1} rounds of {@code framesPerRound} consecutive frames (the first round warms up), then
     * writes {@code framesPerRound} frames as a KITTI raw archive in a temporary directory and reads them back
     * {@code rounds + 1} times.
     *
     * @return the render, sweep and decode measurements, keyed {@link #RENDER}, {@link #SCAN} and {@link #DECODE}
     */
    static List<Measurement> run(int rounds, int framesPerRound, PrintWriter progress) throws IOException {
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
        return List.of(new Measurement(RENDER, render), new Measurement(SCAN, scan),
                new Measurement(DECODE, decode(rounds, framesPerRound, progress)));
    }

    private static List<Double> decode(int rounds, int frames, PrintWriter progress) throws IOException {
        try (ScratchDirectory dir = ScratchDirectory.create("depthstream-bench-kitti")) {
            Path root = dir.resolve("kitti");
            new SyntheticDriveWriter(1, 1, DriveOptions.kitti(frames)).write(root, (done, total) -> { });
            KittiDrive drive = KittiDrive.parse("2011_09_26/" + SyntheticDriveWriter.driveName(1));
            List<Double> decode = new ArrayList<>();
            try (KittiRawArchive archive = KittiRawArchive.open(root)) {
                List<Integer> numbers = archive.frames(drive, KittiCamera.IMAGE_02);
                if (numbers.size() != frames) {
                    throw new IllegalStateException("the archive holds " + numbers.size() + " of " + frames + " frames");
                }
                for (int round = 0; round <= rounds; round++) {
                    long start = System.nanoTime();
                    for (int number : numbers) {
                        archive.image(drive, number, KittiCamera.IMAGE_02);
                    }
                    double fps = frames / ((System.nanoTime() - start) / 1e9);
                    if (round > 0) {
                        decode.add(fps);
                    }
                    progress.printf("  archive    round %d%s: read + decode %.2f frames/s%n", round,
                            round == 0 ? " (warm-up)" : "", fps);
                    progress.flush();
                }
            }
            return decode;
        }
    }
}
