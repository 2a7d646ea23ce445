package io.depthstream.pipeline.cli;

import ai.djl.Device;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.Monodepth2Import;
import io.depthstream.model.io.Monodepth2Import.SkipReason;
import io.depthstream.model.io.Monodepth2Import.SkippedKey;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
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
                    + "input size come from encoder.pth. Reads the zip format of torch>=1.6 and the legacy format "
                    + "before it. Every tensor must match a parameter of the architecture in name, shape and floating "
                    + "type; an unknown or missing key names the file and the key.",
            "",
            "Skipped, and listed after the import: the ImageNet classifier monodepth2's encoders keep "
                    + "(encoder.fc.weight, encoder.fc.bias of encoder.pth and pose_encoder.pth), batch norms' "
                    + "num_batches_tracked counters, and plain values other than encoder.pth's height and width "
                    + "(such as use_stereo).",
            "",
            ImportMonodepth2Command.LICENCE_NOTE
        })
public final class ImportMonodepth2Command implements Callable<Integer> {

    /** What the help says of the licence of monodepth2's checkpoints (README, Licence; NOTICE). */
    static final String LICENCE_NOTE = "Licence: monodepth2's released checkpoints, and anything converted from them "
            + "(the weights this command writes), remain under monodepth2's own licence (Niantic, Inc., "
            + "https://github.com/nianticlabs/monodepth2/blob/master/LICENSE), which allows non-commercial use only. "
            + "depthstream's Apache License 2.0 does not extend to them.";

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
            printSkipped(result.skipped(), stdout);
            stdout.flush();
        }
        return 0;
    }

    /** One line per file and reason: keys by name, except the many batch counters, which are counted. */
    static void printSkipped(List<SkippedKey> skipped, PrintWriter stdout) {
        Map<String, Map<SkipReason, List<String>>> grouped = new LinkedHashMap<>();
        for (SkippedKey key : skipped) {
            grouped.computeIfAbsent(key.file(), file -> new EnumMap<>(SkipReason.class))
                    .computeIfAbsent(key.reason(), reason -> new ArrayList<>()).add(key.key());
        }
        grouped.forEach((file, byReason) -> byReason.forEach((reason, keys) -> {
            if (reason == SkipReason.BATCH_COUNTER) {
                stdout.printf("skipped %d num_batches_tracked %s of %s (%s)%n", keys.size(),
                        keys.size() == 1 ? "counter" : "counters", file, reason.description());
            } else {
                stdout.printf("skipped %d %s of %s: %s (%s)%n", keys.size(), keys.size() == 1 ? "key" : "keys", file,
                        String.join(", ", keys), reason.description());
            }
        }));
    }
}
