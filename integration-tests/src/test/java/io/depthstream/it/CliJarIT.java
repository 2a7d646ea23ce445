package io.depthstream.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged command-line jar and the launcher script, run as a user runs them: in a separate JVM. */
class CliJarIT {

    static Path jar;
    static Path repositoryRoot;

    record Result(int exit, String output) {}

    @BeforeAll
    static void locateJar() {
        jar = Paths.get(System.getProperty("depthstream.cli.jar")).toAbsolutePath().normalize();
        assertThat(jar).as("the pipeline module packages the CLI jar before integration tests").isRegularFile();
        repositoryRoot = jar.getParent().getParent().getParent();
    }

    static Result exec(Path workingDirectory, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    static List<String> java(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void doctorPassesFromTheShadedJarWithBundledNatives(@TempDir Path elsewhere) throws Exception {
        Result result = exec(elsewhere, java("-Doffline=true", "-jar", jar.toString(), "doctor"));

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("PyTorch 2.0.1").containsPattern("flink\\s+2\\.2\\.0").contains("ok:");
    }

    @Test
    void doctorReportsAMissingOfflineFlag(@TempDir Path elsewhere) throws Exception {
        Result result = exec(elsewhere, java("-jar", jar.toString(), "doctor"));

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("-Doffline=true is not set");
    }

    @Test
    void launcherRunsFromAnyWorkingDirectory(@TempDir Path elsewhere) throws Exception {
        Path launcher = repositoryRoot.resolve("depthstream");
        assertThat(Files.isExecutable(launcher)).isTrue();

        Result version = exec(elsewhere, List.of(launcher.toString(), "--version"));
        Result doctor = exec(elsewhere, List.of(launcher.toString(), "doctor"));

        assertThat(version.exit()).as(version.output()).isZero();
        assertThat(version.output()).contains("depthstream 0.1.0-SNAPSHOT");
        assertThat(doctor.exit()).as(doctor.output()).isZero();
        assertThat(doctor.output()).contains("offline").contains("ok:");
    }
}
