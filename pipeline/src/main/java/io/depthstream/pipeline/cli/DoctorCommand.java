package io.depthstream.pipeline.cli;

import ai.djl.Device;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.device.EngineReport;
import org.apache.flink.runtime.util.EnvironmentInformation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code depthstream doctor}: loads the PyTorch engine offline and reports what the machine offers and lacks. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check the engine, devices and environment.",
            "",
            "Loads the PyTorch engine offline, prints its version, devices and thread counts, the Flink "
                    + "version and DJL's cache directory, and runs a small computation on every device.",
            "Exits 0 when everything needed is in place, 1 with the list of problems otherwise."
        })
public final class DoctorCommand implements Callable<Integer> {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = "Also check that this device choice can be satisfied (default: ${DEFAULT-VALUE}).")
    String device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BuildInfo build = BuildInfo.load();
        EngineReport engine = EngineReport.probe();
        List<String> problems = new ArrayList<>(engine.problems());
        String hint = nativesHint(build.natives(), engine.engineVersion() != null);
        if (hint != null) {
            problems.add(hint);
        }

        Runtime runtime = Runtime.getRuntime();
        out.printf("depthstream %s%n", build.version());
        row(out, "java", "%s (%s), max heap %.1f GiB, %d processors",
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                runtime.maxMemory() / (1024.0 * 1024 * 1024), runtime.availableProcessors());
        row(out, "engine", "PyTorch %s via DJL %s, natives %s, %s",
                orMissing(engine.engineVersion()), engine.djlVersion(), build.natives(),
                engine.offline() ? "offline" : "ONLINE (downloads allowed)");
        row(out, "natives", "%s", orMissing(engine.libtorchPath()));
        row(out, "devices", "%s (%d GPU%s)",
                engine.devices().isEmpty() ? "none" : String.join(", ", engine.devices()),
                engine.gpuCount(), engine.gpuCount() == 1 ? "" : "s");
        row(out, "threads", "intra-op %d, inter-op %d", engine.intraOpThreads(), engine.interOpThreads());
        row(out, "flink", "%s", EnvironmentInformation.getVersion());
        row(out, "djl cache", "%s", engine.cacheDir());

        try {
            DeviceChoice choice = DeviceChoice.parse(device);
            if (engine.engineVersion() != null) {
                Device resolved = choice.resolve(engine.gpuCount(), 0);
                row(out, "device", "%s -> %s", choice.configValue(), resolved);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            problems.add(e.getMessage());
        }

        if (problems.isEmpty()) {
            out.println("ok: the engine loads offline and computes correctly");
            out.flush();
            return 0;
        }
        out.println("problems:");
        for (String problem : problems) {
            out.println("  - " + problem);
        }
        out.flush();
        return 1;
    }

    /**
     * Why the CUDA build's natives may have been refused: DJL uses bundled CUDA natives only where it detects a
     * CUDA driver, and otherwise looks for CPU natives, which a GPU build does not bundle.
     */
    static String nativesHint(String nativesArtifact, boolean engineLoaded) {
        if (engineLoaded || nativesArtifact == null || !nativesArtifact.contains("-cu")) {
            return null;
        }
        return "this is the GPU build (" + nativesArtifact + "): its natives load only where an NVIDIA driver >= 520"
                + " is visible; on a machine without one, build without -Pgpu";
    }

    private static void row(PrintWriter out, String label, String format, Object... args) {
        out.printf("  %-10s %s%n", label, String.format(format, args));
    }

    private static String orMissing(String value) {
        return value == null ? "(not loaded)" : value;
    }
}
