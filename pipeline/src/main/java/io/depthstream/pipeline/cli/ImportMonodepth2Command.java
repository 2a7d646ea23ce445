package io.depthstream.pipeline.cli;

import ai.djl.Device;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.Monodepth2Import;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code depthstream import-monodepth2}: PyTorch monodepth2 checkpoints to depthstream's native weights. */
@Command(
        name = "import-monodepth2",
        mixinStandardHelpOptions = true,
        description = {
            "Convert monodepth2 checkpoints to depthstream's native weights (no Python needed).",
            "",
            "DIR holds encoder.pth and depth.pth, and optionally pose_encoder.pth and pose.pth (without them "
                    + "the pose network starts from random weights). The architecture (resnet18, resnet50) and the "
                    + "input size come from encoder.pth. Every key must match the architecture; a mismatch names the "
                    + "file and the key."
        })
public final class ImportMonodepth2Command implements Callable<Integer> {

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder with the .pth files.")
    Path dir;

    @Option(names = "--out", required = true, paramLabel = "WEIGHTS", description = "Weights directory to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Monodepth2Import.Result result = Monodepth2Import.load(dir, Device.cpu());
        try (DepthModel model = result.model()) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("source", "monodepth2 checkpoint");
            metadata.put("importedFrom", dir.toAbsolutePath().toString());
            metadata.put("pose", result.poseImported() ? "imported" : "random initialisation (no pose files)");
            ModelWeights.save(model, out, metadata);
            ModelConfig config = model.config();
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf("imported %s %dx%d (depth%s) -> %s%n", config.architecture().configName(), config.width(),
                    config.height(), result.poseImported() ? " and pose" : "; no pose files, pose network random",
                    out.toAbsolutePath());
            stdout.flush();
        }
        return 0;
    }
}
