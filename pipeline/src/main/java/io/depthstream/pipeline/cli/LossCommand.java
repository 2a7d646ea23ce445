package io.depthstream.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.loss.PhotometricLoss;
import io.depthstream.model.loss.PhotometricLossConfig;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.train.LossReport;
import io.depthstream.model.train.SelfSupervisedObjective;
import io.depthstream.model.train.TrainingSample;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
                    + "the loss, without augmentation and with batch norm in inference mode. Output: total, "
                    + "photometric and smoothness terms, and per scale the photometric term, the unweighted smoothness "
                    + "and the share of pixels where the auto-mask kept the identity (the un-warped source).",
            "Intrinsics --fx --fy --cx --cy are in pixels of the given images (all four, or none for KITTI's "
                    + "normalised K). --seed also seeds the auto-mask's tie-break noise, so equal seeds give equal "
                    + "numbers."
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
            PhotometricLossConfig lossConfig = PhotometricLossConfig.monodepth2()
                    .withAutoMask(!noAutoMask)
                    .withMinReprojection(!averageReprojection)
                    .withFullResolution(!noFullResolution)
                    .withDepthRange(config.depthRange());
            SelfSupervisedObjective objective =
                    new SelfSupervisedObjective(new PhotometricLoss(lossConfig, new Random(model.seed)));
            DepthPredictor inputs = new DepthPredictor(depthModel);
            TrainingSample sample = new TrainingSample(inputs.input(prevImage), inputs.input(curImage),
                    inputs.input(nextImage), intrinsics);
            LossReport report = objective.measure(depthModel, List.of(sample));
            print(report, lossConfig, intrinsics);
        }
        return 0;
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

    private void print(LossReport report, PhotometricLossConfig lossConfig, Intrinsics k) throws IOException {
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
        ObjectNode settings = root.putObject("settings");
        settings.put("automask", lossConfig.autoMask());
        settings.put("min_reprojection", lossConfig.minReprojection());
        settings.put("full_resolution", lossConfig.fullResolution());
        settings.put("seed", model.seed);
        ObjectNode intrinsics = settings.putObject("intrinsics_at_network_size");
        intrinsics.put("fx", k.fx());
        intrinsics.put("fy", k.fy());
        intrinsics.put("cx", k.cx());
        intrinsics.put("cy", k.cy());
        PrintWriter out = spec.commandLine().getOut();
        out.println(mapper.writeValueAsString(root));
        out.flush();
    }
}
