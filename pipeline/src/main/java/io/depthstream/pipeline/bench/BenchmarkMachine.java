package io.depthstream.pipeline.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine a benchmark ran on, recorded beside its numbers.
 *
 * @param cpu the CPU model name from /proc/cpuinfo ("unknown" elsewhere)
 * @param cores processors available to the JVM
 * @param java Java runtime version
 * @param engine PyTorch version
 * @param torchThreads intra-op threads PyTorch uses
 */
public record BenchmarkMachine(String cpu, int cores, String java, String engine, int torchThreads) {

    /** Reads the current machine. */
    public static BenchmarkMachine current() {
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse(cpu);
        } catch (IOException e) {
            // not Linux: the name stays unknown, the numbers still stand
        }
        return new BenchmarkMachine(cpu, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                "PyTorch " + Engine.getEngine("PyTorch").getVersion(), JniUtils.getNumThreads());
    }
}
