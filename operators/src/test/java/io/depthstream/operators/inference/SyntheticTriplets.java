package io.depthstream.operators.inference;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.triplet.Triplet;

import java.util.ArrayList;
import java.util.List;

/** Triplets cut from rendered synthetic drives, one drive per camera, at a small network size. */
public final class SyntheticTriplets {

    public static final int WIDTH = 192;
    public static final int HEIGHT = 64;

    private SyntheticTriplets() {}

    /** Frames 0..count−1 of the drive seeded {@code seed}, as camera {@code cameraId}'s frames. */
    public static List<Frame> frames(String cameraId, long seed, int count) {
        SyntheticDrive drive = SyntheticDrive.generate(seed, new DriveOptions(Math.max(3, count), WIDTH, HEIGHT, false, false));
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(new Frame(cameraId, i, 1_000_000L + 100L * i, 2_000_000L + 100L * i, drive.intrinsics(),
                    drive.render(i).image(), null, 1000 + i, 2000 + i));
        }
        return frames;
    }

    /** One triplet per frame, neighbours present where the frames exist (first: no prev, last: no next). */
    public static List<Triplet> triplets(List<Frame> frames) {
        List<Triplet> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            out.add(new Triplet(i > 0 ? frames.get(i - 1) : null, frames.get(i),
                    i + 1 < frames.size() ? frames.get(i + 1) : null));
        }
        return out;
    }

    /** Triplets of several cameras interleaved: a0, b0, a1, b1, … (each camera in seq order). */
    public static List<Triplet> interleaved(List<List<Triplet>> cameras) {
        List<Triplet> out = new ArrayList<>();
        int longest = cameras.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<Triplet> camera : cameras) {
                if (i < camera.size()) {
                    out.add(camera.get(i));
                }
            }
        }
        return out;
    }
}
