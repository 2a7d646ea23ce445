package io.depthstream.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.depthstream.model.io.ShippedModel;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.KittiDataException;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.SplitEntry;
import io.depthstream.model.data.SplitFile;
import io.depthstream.model.data.VelodyneGroundTruth;
import io.depthstream.model.eval.EigenEvaluator;
import io.depthstream.model.eval.EigenImage;
import io.depthstream.model.eval.EigenReport;
import io.depthstream.model.geometry.DisparityToDepth;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code depthstream eval}: KITTI Eigen evaluation of depth weights on a split, or export of its ground truth. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Evaluate depth weights on a KITTI split with the Eigen protocol, or export the split's ground truth.",
            "",
            // one string per paragraph: picocli wraps each to the terminal width
            "ROOT holds KITTI raw archives (<date>_drive_NNNN_sync.zip, <date>_calib.zip) and/or their extracted "
                    + "<date>/ folders. FILE lists frames as 'date/drive frame side' (side l = image_02, r = image_03), "
                    + "e.g. eigen/test_files.txt. Every listed image, Velodyne scan and calibration must exist; the "
                    + "first missing one is named and nothing is evaluated.",
            "",
            "With --weights (or --init synthetic, the shipped model, or for experiments --init random) each image is resized to the network's input "
                    + "size and its disparity is compared with the ground truth projected from its Velodyne scan "
                    + "(Garg crop, 1e-3..80 m, per-image median scaling unless --scale gives a factor). Prints "
                    + "monodepth2's table: the scaling ratios, the seven metrics' column names and their means over "
                    + "images.",
            "",
            "With --gt-only no weights are needed: each frame's ground truth is written as a 16-bit KITTI depth PNG "
                    + "(depth x 256, 0 = no measurement) to OUT_DIR/<date>_drive_NNNN_sync/<side>/<frame>.png, "
                    + "side l or r, frame in 10 digits.",
            "",
            "Progress goes to stderr, results to stdout. Exit 0 on success, 1 on missing or bad data or weights, "
                    + "2 on a usage error."
        })
public final class EvalCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> METRIC_NAMES = List.of("abs_rel", "sq_rel", "rmse", "rmse_log", "a1", "a2", "a3");

    @Option(names = "--data", required = true, paramLabel = "ROOT", description = "KITTI raw root (archives or folders).")
    Path data;

    @Option(names = "--split", required = true, paramLabel = "FILE", description = "Split file: 'date/drive frame side' lines.")
    Path split;

    @Mixin
    ModelOptions model;

    @Option(names = "--json", paramLabel = "OUT",
            description = "Also write the mean metrics, image count, scaling and ratio statistics as JSON.")
    Path json;

    @Option(names = "--csv", paramLabel = "PER_IMAGE",
            description = "Also write one CSV row per image: drive,frame,side,abs_rel,...,a3,ratio.")
    Path csv;

    @Option(names = "--batch", defaultValue = "4", paramLabel = "N",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--scale", defaultValue = "median", paramLabel = "median|FACTOR", converter = ScaleConverter.class,
            description = "'median' (per-image median scaling, for monocular models; the default) or a fixed factor"
                    + " such as 5.4 (for stereo-trained models).")
    EvalScale scale;

    @Option(names = "--gt-only", paramLabel = "OUT_DIR",
            description = "Export every frame's ground-truth depth as a 16-bit KITTI PNG instead of evaluating.")
    Path gtOnly;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        validateOptions();
        try (KittiRawArchive archive = KittiRawArchive.open(data)) {
            SplitFile frames = SplitFile.read(split);
            if (frames.size() == 0) {
                throw new KittiDataException("split file " + split + " lists no frames");
            }
            frames.requireImages(archive);
            requireGroundTruthInputs(frames, archive);
            if (gtOnly != null) {
                exportGroundTruth(frames, archive);
            } else {
                evaluate(frames, archive);
            }
        }
        return 0;
    }

    private void validateOptions() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (gtOnly == null && model.weights == null && model.init == null) {
            throw new ParameterException(spec.commandLine(),
                    "give --weights WEIGHTS to evaluate a model, or --gt-only OUT_DIR to export the ground truth");
        }
        if (gtOnly != null) {
            List<String> modelOnly = new ArrayList<>();
            for (String option : List.of("--weights", "--init", "--seed", "--arch", "--height", "--width", "--device",
                    "--json", "--csv", "--batch", "--scale")) {
                if (parsed.hasMatchedOption(option)) {
                    modelOnly.add(option);
                }
            }
            if (!modelOnly.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--gt-only exports ground truth without a model; "
                        + String.join(", ", modelOnly) + (modelOnly.size() == 1 ? " applies" : " apply")
                        + " only to evaluating weights");
            }
        }
        if (batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
        }
    }

    /**
     * The split's Velodyne scans and calibrations must exist too; checking them up front means a long run never
     * fails at its last frame.
     */
    private static void requireGroundTruthInputs(SplitFile frames, KittiRawArchive archive) throws IOException {
        Map<KittiDrive, Set<Integer>> scans = new HashMap<>();
        for (KittiDrive drive : frames.drives()) {
            archive.calibration(drive.date());
            scans.put(drive, new TreeSet<>(archive.velodyneFrames(drive)));
        }
        for (SplitEntry entry : frames.entries()) {
            if (!scans.get(entry.drive()).contains(entry.frame())) {
                throw new KittiDataException(String.format(Locale.ROOT,
                        "%s line %d: velodyne scan %d of drive %s is missing (velodyne_points/data/%010d.bin),"
                                + " so frame %d has no ground truth",
                        frames.source(), entry.line(), entry.frame(), entry.drive(), entry.frame(), entry.frame()));
            }
        }
    }

    private void evaluate(SplitFile frames, KittiRawArchive archive) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        EigenEvaluator evaluator = scale.evaluator();
        List<EigenImage> images = new ArrayList<>();
        try (DepthModel depthModel = model.open(spec.commandLine())) {
            ModelConfig config = depthModel.config();
            DisparityToDepth range = config.depthRange();
            DepthPredictor predictor = new DepthPredictor(depthModel);
            out.printf(Locale.ROOT, "-> Evaluating %d images of %s with %s %dx%d %s on %s, %s%n",
                    frames.size(), split, config.architecture().configName(), config.width(), config.height(),
                    weightsName(), depthModel.device(), scale);
            out.flush();
            ProgressBar progress = ProgressBar.of("eval", "img", frames.size(), spec.commandLine().getErr());
            List<SplitEntry> entries = frames.entries();
            for (int from = 0; from < entries.size(); from += batch) {
                List<SplitEntry> chunk = entries.subList(from, Math.min(entries.size(), from + batch));
                List<float[]> inputs = new ArrayList<>(chunk.size());
                for (SplitEntry entry : chunk) {
                    inputs.add(predictor.input(archive.image(entry.drive(), entry.frame(), entry.camera())));
                }
                float[][] sigmoid = predictor.disparity(inputs);
                for (int i = 0; i < chunk.size(); i++) {
                    SplitEntry entry = chunk.get(i);
                    DepthMap gt = VelodyneGroundTruth.of(archive, entry.drive(), entry.frame(), entry.camera());
                    try {
                        images.add(evaluator.addImage(EigenEvaluator.scaledDisparity(sigmoid[i], range),
                                config.width(), config.height(), gt));
                    } catch (IllegalArgumentException e) {
                        throw new KittiDataException(describe(frames, entry) + ": " + e.getMessage(), e);
                    }
                }
                progress.advance(chunk.size());
            }
            progress.finish();
        }

        EigenReport report = evaluator.report();
        out.println(EigenTable.ratios(report));
        out.println();
        out.println(EigenTable.HEADER);
        out.println(EigenTable.row(report.metrics()));
        out.printf(Locale.ROOT, "-> %d images evaluated%n", report.images());
        if (json != null) {
            writeJson(report);
            out.println("-> metrics written to " + json);
        }
        if (csv != null) {
            writeCsv(frames.entries(), images);
            out.println("-> per-image metrics written to " + csv);
        }
        out.flush();
    }

    private void writeJson(EigenReport report) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        double[] values = report.metrics().toArray();
        for (int k = 0; k < METRIC_NAMES.size(); k++) {
            root.put(METRIC_NAMES.get(k), values[k]);
        }
        root.put("images", report.images());
        root.put("scaling", scale.jsonValue());
        root.put("ratio_median", report.ratioMedian());
        root.put("ratio_std", report.ratioStd());
        root.put("weights", weightsName());
        root.put("split", split.toAbsolutePath().normalize().toString());
        createParent(json);
        JSON.writeValue(json.toFile(), root);
    }

    private void writeCsv(List<SplitEntry> entries, List<EigenImage> images) throws IOException {
        StringBuilder text = new StringBuilder("drive,frame,side,").append(String.join(",", METRIC_NAMES)).append(",ratio\n");
        for (int i = 0; i < entries.size(); i++) {
            SplitEntry entry = entries.get(i);
            text.append(entry.drive()).append(',').append(entry.frame()).append(',').append(entry.camera().side());
            for (double value : images.get(i).metrics().toArray()) {
                text.append(',').append(value);
            }
            text.append(',').append(images.get(i).ratio()).append('\n');
        }
        createParent(csv);
        Files.writeString(csv, text, StandardCharsets.UTF_8);
    }

    private void exportGroundTruth(SplitFile frames, KittiRawArchive archive) throws IOException {
        ProgressBar progress = ProgressBar.of("gt", "map", frames.size(), spec.commandLine().getErr());
        long valid = 0;
        for (SplitEntry entry : frames.entries()) {
            DepthMap gt = VelodyneGroundTruth.of(archive, entry.drive(), entry.frame(), entry.camera());
            Path file = gtOnly.resolve(entry.drive().name()).resolve(String.valueOf(entry.camera().side()))
                    .resolve(String.format(Locale.ROOT, "%010d.png", entry.frame()));
            Files.createDirectories(file.getParent());
            Files.write(file, gt.encodeKittiPng());
            valid += gt.validCount();
            progress.advance(1);
        }
        progress.finish();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "wrote %d ground-truth depth maps to %s: %d valid pixels (%.0f per map)%n",
                frames.size(), gtOnly, valid, (double) valid / frames.size());
        out.flush();
    }

    /** The weights directory, absolute, the shipped model, or the seeded random initialisation evaluated instead. */
    private String weightsName() {
        if (model.weights != null) {
            return model.weights.toAbsolutePath().normalize().toString();
        }
        ShippedModel shipped = ShippedModel.byName(model.init);
        return shipped != null ? "the shipped model " + shipped.version()
                : "random initialisation (seed " + model.seed + ")";
    }

    private static String describe(SplitFile frames, SplitEntry entry) {
        return frames.source() + " line " + entry.line() + " (" + entry.drive() + " " + entry.frame() + " "
                + entry.camera().side() + ")";
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /** Turns {@code --scale} text into an {@link EvalScale}, with picocli's one-line message on bad input. */
    static final class ScaleConverter implements CommandLine.ITypeConverter<EvalScale> {
        @Override
        public EvalScale convert(String value) {
            try {
                return EvalScale.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
