package io.depthstream.pipeline.cli;

import io.depthstream.model.data.BilinearResizer;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.eval.EigenEvaluator;
import io.depthstream.model.io.DisparityColormap;
import io.depthstream.model.io.Npy;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code depthstream infer}: depth for image files, written as NumPy disparity, KITTI depth PNG and a magma picture. */
@Command(
        name = "infer",
        mixinStandardHelpOptions = true,
        description = {
            "Predict depth for PNG or JPEG images.",
            "",
            "Each image is resized to the network's input size (area filter) and, per image, OUT receives:",
            "  <stem>_disp.npy         float32 1x1xHxW sigmoid disparity of scale 0 at network resolution",
            "  <stem>_depth.png        16-bit depth at the image's own size, value = depth x 256 (KITTI encoding);",
            "                          monocular depth is relative: multiply by a per-image scale for metres",
            "  <stem>_depth_color.png  the disparity in the magma colour map (near = bright)",
            "An unreadable image is reported and skipped; the exit status is then 1."
        })
public final class InferCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--output-dir", required = true, paramLabel = "OUT", description = "Folder for the results.")
    Path outputDir;

    @Option(names = "--batch", defaultValue = "4", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files.")
    List<Path> images;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (batch < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1");
        }
        Files.createDirectories(outputDir);
        int failures = 0;
        int written = 0;
        try (DepthModel depthModel = model.open(spec.commandLine())) {
            DepthPredictor predictor = new DepthPredictor(depthModel);
            ModelConfig config = depthModel.config();
            List<Path> pending = new ArrayList<>();
            List<RgbImage> decoded = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                Path file = images.get(i);
                try {
                    decoded.add(RgbImage.decode(Files.readAllBytes(file)));
                    pending.add(file);
                } catch (IOException | IllegalArgumentException e) {
                    err.println("skipped " + file + ": " + e.getMessage());
                    failures++;
                }
                if (pending.size() == batch || (i == images.size() - 1 && !pending.isEmpty())) {
                    List<float[]> inputs = new ArrayList<>();
                    for (RgbImage image : decoded) {
                        inputs.add(predictor.input(image));
                    }
                    float[][] disparities = predictor.disparity(inputs);
                    for (int b = 0; b < pending.size(); b++) {
                        write(pending.get(b), decoded.get(b), disparities[b], config);
                        out.println("wrote " + stem(pending.get(b)) + "_{disp.npy,depth.png,depth_color.png}");
                        written++;
                    }
                    pending.clear();
                    decoded.clear();
                }
            }
        }
        out.printf("%d of %d images -> %s%n", written, images.size(), outputDir.toAbsolutePath());
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private void write(Path source, RgbImage image, float[] sigmoid, ModelConfig config) throws IOException {
        int w = config.width();
        int h = config.height();
        String stem = stem(source);
        Npy.of(sigmoid, 1, 1, h, w).writeFloat32(outputDir.resolve(stem + "_disp.npy"));

        // as the Eigen protocol does: resize the scaled disparity to the image, then invert
        float[] scaled = BilinearResizer.resize(
                EigenEvaluator.scaledDisparity(sigmoid, config.depthRange()), w, h, image.width(), image.height());
        float[] depth = new float[scaled.length];
        for (int i = 0; i < depth.length; i++) {
            depth[i] = 1f / scaled[i];
        }
        Files.write(outputDir.resolve(stem + "_depth.png"),
                new DepthMap(image.width(), image.height(), depth).encodeKittiPng());
        Files.write(outputDir.resolve(stem + "_depth_color.png"),
                DisparityColormap.colorize(scaled, image.width(), image.height()).encodePng());
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
