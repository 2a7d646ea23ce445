package io.depthstream.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.io.Npy;
import io.depthstream.model.io.Npz;
import io.depthstream.model.loss.BoundarySource;
import io.depthstream.model.loss.PhotometricLossConfig;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.LossReport;
import io.depthstream.model.train.ParameterGradients;
import io.depthstream.model.train.SelfSupervisedObjective;
import io.depthstream.model.train.TrainingSample;
import io.depthstream.model.train.TripletScaleReport;
import io.depthstream.pipeline.config.TripletChoice;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/** {@code depthstream loss}: the self-supervised loss terms of one triplet, computed by the training code. */
@Command(
        name = "loss",
        mixinStandardHelpOptions = true,
        description = {
            "Print the self-supervised loss of one triplet as JSON.",
            "",
            "The three images are resized to the network's input size; the same code as training computes "
                    + "the loss, without augmentation and (unless --gradients) with batch norm in inference mode. Output: total, "
                    + "photometric and smoothness terms, and per scale the photometric term, the unweighted smoothness "
                    + "and the share of pixels where the auto-mask kept the identity (the un-warped source).",
            "Intrinsics --fx --fy --cx --cy are in pixels of the given images (all four, or none for KITTI's "
                    + "normalised K). --seed also seeds the auto-mask's tie-break noise, so equal seeds give equal "
                    + "numbers.",
            "--triplet adds a triplet term on the depth decoder's features at scales 3, 2, 1: fsre (semantics-"
                    + "guided, mean negatives, margin 0.3) or isolated (hardest negative, split form, margin 0.65); "
                    + "the JSON then lists it per scale with its boundary-anchor count. Boundaries come from "
                    + "--semantic (an 8-bit grayscale PNG of class ids for frame t, the size of --cur) or, without "
                    + "one, from the predicted depth and image edges (--boundaries).",
            "--triplet differential adds MetricDepth's depth-differential triplet term at the same scales instead: "
                    + "pairs of feature pixels (10 rolls within the image, 4 across the batch) are positives or "
                    + "negatives by the difference of the model's own median-normalised depth, so it needs neither "
                    + "--semantic nor --boundaries; its rolls are drawn from --seed, and its per-scale "
                    + "\"boundary_pixels\" count the labelled pairs the mean ran over.",
            "--gradients OUT.npz also writes d(total)/d(parameter) of every trainable parameter of the depth "
                    + "encoder, depth decoder, pose encoder and pose decoder as float32 arrays in a NumPy .npz, keyed "
                    + "<checkpoint file stem>/<key> as monodepth2's checkpoints name them (encoder/encoder.conv1.weight, "
                    + "depth/decoder.9.conv.conv.bias, pose_encoder/..., pose/net.3.weight): computed by the training "
                    + "step's forward and backward pass, with batch norm on batch statistics as training runs it, so the "
                    + "JSON then reports the loss in that training mode (still without augmentation). Batch-norm "
                    + "running statistics are not trainable and have no entry.",
            "The depth-to-grayscale pretext term of training is not offered: it is computed by a head trained "
                    + "with the run and not saved with the weights, and a fresh head's output (and batch-norm "
                    + "statistics) would make its value meaningless."
        })
public final class LossCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--prev", required = true, paramLabel = "IMAGE", description = "Frame t-1.")
    Path previous;

    @Option(names = "--cur", required = true, paramLabel = "IMAGE", description = "Frame t.")
    Path current;

    @Option(names = "--next", required = true, paramLabel = "IMAGE", description = "Frame t+1.")
    Path next;

    @Option(names = "--fx", description = "Focal length x, pixels.")
    Double fx;

    @Option(names = "--fy", description = "Focal length y, pixels.")
    Double fy;

    @Option(names = "--cx", description = "Principal point x, pixels.")
    Double cx;

    @Option(names = "--cy", description = "Principal point y, pixels.")
    Double cy;

    @Option(names = "--no-automask", description = "Turn auto-masking off.")
    boolean noAutoMask;

    @Option(names = "--avg-reprojection", description = "Average the reprojection errors instead of the minimum.")
    boolean averageReprojection;

    @Option(names = "--no-full-res", description = "Compare at each scale's resolution instead of upsampling.")
    boolean noFullResolution;

    @Option(names = "--triplet", paramLabel = "TERM", defaultValue = "none",
            description = "Triplet term: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            converter = TripletConverter.class, completionCandidates = TripletCandidates.class)
    TripletChoice triplet;

    @Option(names = "--semantic", paramLabel = "PNG",
            description = "Class ids of frame t: 8-bit grayscale PNG, value = class id, same size as --cur.")
    Path semantic;

    @Option(names = "--boundaries", paramLabel = "SOURCE", defaultValue = "auto",
            description = "Where triplet boundaries come from: semantic, depth, or auto (semantic when given, else "
                    + "depth; default).")
    String boundaries;

    @Option(names = "--gradients", paramLabel = "OUT.npz",
            description = "Also write each trainable parameter's gradient of the total (training-mode batch norm; "
                    + "the JSON is then the training-mode loss) to this NumPy .npz.")
    Path gradients;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        RgbImage prevImage = read(previous);
        RgbImage curImage = read(current);
        RgbImage nextImage = read(next);
        for (RgbImage image : List.of(prevImage, nextImage)) {
            if (image.width() != curImage.width() || image.height() != curImage.height()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "the three images must have the same size");
            }
        }
        try (DepthModel depthModel = model.open(spec.commandLine())) {
            ModelConfig config = depthModel.config();
            Intrinsics intrinsics = intrinsics(curImage, config);
            PhotometricLossConfig photometric = PhotometricLossConfig.monodepth2()
                    .withAutoMask(!noAutoMask)
                    .withMinReprojection(!averageReprojection)
                    .withFullResolution(!noFullResolution)
                    .withDepthRange(config.depthRange());
            LossConfig lossConfig = triplet.applyTo(LossConfig.of(photometric)).withBoundarySource(boundarySource());
            SelfSupervisedObjective objective = new SelfSupervisedObjective(lossConfig, new Random(model.seed));
            DepthPredictor inputs = new DepthPredictor(depthModel);
            TrainingSample sample = new TrainingSample(inputs.input(prevImage), inputs.input(curImage),
                    inputs.input(nextImage), intrinsics, semanticMap(curImage));
            LossReport report;
            if (gradients == null) {
                report = objective.measure(depthModel, List.of(sample));
            } else {
                ParameterGradients.Result result = ParameterGradients.compute(depthModel, objective, List.of(sample));
                report = result.report();
                writeGradients(result);
            }
            print(report, lossConfig, intrinsics);
        }
        return 0;
    }

    private void writeGradients(ParameterGradients.Result result) {
        Map<String, Npy> arrays = new LinkedHashMap<>();
        result.gradients().forEach((name, gradient) -> arrays.put(name, Npy.of(gradient.values(), gradient.shape())));
        Path parent = gradients.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + parent, e);
        }
        Npz.writeFloat32(gradients, arrays);
    }

    private BoundarySource boundarySource() {
        return switch (boundaries.toLowerCase(Locale.ROOT)) {
            case "semantic" -> BoundarySource.SEMANTIC;
            case "depth" -> BoundarySource.DEPTH;
            case "auto" -> BoundarySource.SEMANTIC_OR_DEPTH;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--boundaries must be semantic, depth or auto, got '" + boundaries + "'");
        };
    }

    private SemanticMap semanticMap(RgbImage current) throws IOException {
        if (semantic == null) {
            return null;
        }
        SemanticMap map;
        try {
            map = SemanticMap.decodePng(Files.readAllBytes(semantic));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), semantic + ": " + e.getMessage());
        }
        if (map.width() != current.width() || map.height() != current.height()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--semantic is " + map.width() + "x"
                    + map.height() + ", --cur is " + current.width() + "x" + current.height());
        }
        return map;
    }

    private Intrinsics intrinsics(RgbImage image, ModelConfig config) {
        int given = (fx != null ? 1 : 0) + (fy != null ? 1 : 0) + (cx != null ? 1 : 0) + (cy != null ? 1 : 0);
        if (given == 0) {
            return Intrinsics.kittiNormalised(config.width(), config.height());
        }
        if (given != 4) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give all of --fx --fy --cx --cy, or none");
        }
        Intrinsics k = new Intrinsics(fx, fy, cx, cy);
        String problem = k.implausibility(image.width(), image.height());
        if (problem != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), problem);
        }
        return k.rescaled(image.width(), image.height(), config.width(), config.height());
    }

    private static RgbImage read(Path file) throws IOException {
        try {
            return RgbImage.decode(Files.readAllBytes(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private void print(LossReport report, LossConfig lossConfig, Intrinsics k) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        report.terms().forEach(root::put);
        root.put("total", report.total());
        ArrayNode scales = root.putArray("scales");
        for (int s = 0; s < report.photometric().size(); s++) {
            ObjectNode scale = scales.addObject();
            scale.put("scale", s);
            scale.put("photometric", report.photometric().get(s));
            scale.put("smoothness", report.smoothness().get(s));
            scale.put("automask_identity_share", report.identityShare().get(s));
        }
        ArrayNode triplets = root.putArray("triplet");
        ObjectNode tripletTerm = null;
        for (TripletScaleReport scale : report.triplet()) {
            if (tripletTerm == null || !tripletTerm.get("term").asText().equals(scale.term())) {
                tripletTerm = triplets.addObject();
                tripletTerm.put("term", scale.term());
                tripletTerm.put("weighted", report.term(scale.term()));
                tripletTerm.putArray("scales");
            }
            ObjectNode entry = ((ArrayNode) tripletTerm.get("scales")).addObject();
            entry.put("scale", scale.scale());
            entry.put("loss", scale.loss());
            entry.put("boundary_pixels", scale.boundaryPixels());
        }
        ObjectNode settings = root.putObject("settings");
        PhotometricLossConfig photometric = lossConfig.photometric();
        settings.put("automask", photometric.autoMask());
        settings.put("min_reprojection", photometric.minReprojection());
        settings.put("full_resolution", photometric.fullResolution());
        settings.put("triplet", triplet.label());
        settings.put("boundaries", lossConfig.boundarySource().name().toLowerCase(Locale.ROOT));
        settings.put("semantic", semantic == null ? null : semantic.toString());
        settings.put("seed", model.seed);
        settings.put("batch_norm", gradients == null ? "running statistics" : "batch statistics");
        settings.put("gradients", gradients == null ? null : gradients.toString());
        ObjectNode intrinsics = settings.putObject("intrinsics_at_network_size");
        intrinsics.put("fx", k.fx());
        intrinsics.put("fy", k.fy());
        intrinsics.put("cx", k.cx());
        intrinsics.put("cy", k.cy());
        PrintWriter out = spec.commandLine().getOut();
        out.println(mapper.writeValueAsString(root));
        out.flush();
    }

    /** Parses {@code --triplet} values by their command-line names. */
    static final class TripletConverter implements CommandLine.ITypeConverter<TripletChoice> {
        @Override
        public TripletChoice convert(String value) {
            try {
                return TripletChoice.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The {@code --triplet} names for help and completion. */
    static final class TripletCandidates implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(TripletChoice.values()).map(TripletChoice::label).iterator();
        }
    }
}
