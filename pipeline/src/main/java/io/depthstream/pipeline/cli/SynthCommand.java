package io.depthstream.pipeline.cli;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.Palette;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code depthstream synth}: writes synthetic street drives in KITTI raw's archive format, with ground truth. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description = {
            "Render synthetic street drives in KITTI raw format, with exact ground truth.",
            "",
            "A procedural street (road, lane marks, pavements, facades, trees, poles,",
            "parked cars) seen by a camera 1.65 m above the road that drives about 1 m",
            "per frame at 10 Hz, with KITTI's 2011_09_26 calibration. Writes into DIR:",
            "  2011_09_26_calib.zip            the three calib_*.txt files",
            "  2011_09_26_drive_NNNN_sync.zip  image_02 PNGs, 64-beam velodyne_points",
            "                                  .bin, oxts, timestamps",
            "  poses/                          camera-to-world poses, KITTI odometry format",
            "  depth_gt/                       dense depth per frame, KITTI 16-bit PNG",
            "                                  (0 = sky or farther than 250 m)",
            "  splits/                         {train,val,test}_files.txt, eigen_zhou lines;",
            "                                  3+ drives: last = test, one before = val;",
            "                                  fewer: each drive's frames split 65/15/20",
            "Only image_02 (the left colour camera) is rendered. The same seed writes",
            "byte-identical files. Progress goes to stderr."
        })
public final class SynthCommand implements Callable<Integer> {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
    Path out;

    @Option(names = "--drives", defaultValue = "1", paramLabel = "N", description = "Number of drives (default: ${DEFAULT-VALUE}).")
    int drives;

    @Option(names = "--frames", defaultValue = "100", paramLabel = "M",
            description = "Frames per drive, at least 3 (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--moving-objects", description = "Add cars driving in both lanes (what auto-masking is for).")
    boolean movingObjects;

    @Option(names = "--static-stretch",
            description = "Let the camera stand still for 3-20 frames once per 150 frames (drives of 10+ frames).")
    boolean staticStretch;

    @Option(names = "--palette", defaultValue = "standard", paramLabel = "standard|alternate",
            description = "Surface colours: alternate rotates every surface's colour channels and raises their"
                    + " contrast (same streets, other looks: a domain shift) (default: ${DEFAULT-VALUE}).")
    String palette;

    @Option(names = "--size", defaultValue = "1242x375", paramLabel = "WxH",
            description = "Image size; the intrinsics are scaled with it (default: ${DEFAULT-VALUE}).")
    String size;

    @Spec
    CommandSpec spec;

    /** {@code WIDTHxHEIGHT} as {width, height}; a malformed or out-of-range size is a one-line error. */
    static int[] parseSize(String size) {
        Matcher matcher = SIZE.matcher(size);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("bad --size '" + size + "': expected WIDTHxHEIGHT, e.g. 1242x375");
        }
        int width = Integer.parseInt(matcher.group(1));
        int height = Integer.parseInt(matcher.group(2));
        if (width < 8 || height < 8 || width > DriveOptions.MAX_SIDE || height > DriveOptions.MAX_SIDE) {
            throw new IllegalArgumentException("bad --size '" + size + "': each side must be 8.." + DriveOptions.MAX_SIDE);
        }
        return new int[] {width, height};
    }

    @Override
    public Integer call() {
        int[] parsed = parseSize(size);
        int width = parsed[0];
        int height = parsed[1];
        if (drives < 1 || drives > 9999) {
            throw new IllegalArgumentException("--drives must be between 1 and 9999, got " + drives);
        }
        if (frames < 3) {
            throw new IllegalArgumentException("--frames must be at least 3 (one triplet), got " + frames);
        }
        DriveOptions options = new DriveOptions(frames, width, height, movingObjects, staticStretch,
                parsePalette());
        long start = System.nanoTime();
        ProgressBar progress = ProgressBar.of("synth", "frames", (long) drives * frames, spec.commandLine().getErr());
        try {
            new SyntheticDriveWriter(seed, drives, options).write(out, (done, total) -> progress.advance(1));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write to " + out + ": " + e, e);
        }
        progress.finish();
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "wrote %d drive%s of %d frames (%dx%d) to %s in %.1f s%n", drives,
                drives == 1 ? "" : "s", frames, width, height, out, (System.nanoTime() - start) / 1e9);
        stdout.flush();
        return 0;
    }

    private Palette parsePalette() {
        try {
            return Palette.parse(palette);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--palette: " + e.getMessage());
        }
    }
}
