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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged command-line jar and the launcher script, run as a user runs them: in a separate JVM. */
class CliJarIT {

    static Path jar;
    static Path repositoryRoot;

    record Result(int exit, String output) {}

    record Streams(int exit, String stdout, String stderr) {}

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

    /** Runs with stdout and stderr kept apart (through files, so neither pipe can fill up and block the process). */
    static Streams execSeparately(Path workingDirectory, Map<String, String> environment, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workingDirectory, "stdout", ".txt");
        Path err = Files.createTempFile(workingDirectory, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        // the test decides libtorch's log level, not the environment Maven runs in
        builder.environment().remove("TORCH_CPP_LOG_LEVEL");
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Streams(process.exitValue(), Files.readString(out), Files.readString(err));
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

    /**
     * import-monodepth2 writes weights into the networks' parameters through DJL's {@code NDArray.set(Buffer)}, whose
     * JNI code makes libtorch print a deprecation warning ({@code AutoNonVariableTypeMode}) once per process.
     * depthstream lowers libtorch's log threshold to ERROR, so a user sees only the command's own output; with
     * {@code TORCH_CPP_LOG_LEVEL=WARNING} the same run prints the line, which shows this test can fail.
     */
    @Test
    void libtorchWarningsStayOffStderrUnlessAskedFor(@TempDir Path elsewhere) throws Exception {
        Path checkpoints = repositoryRoot.resolve("model/src/test/resources/golden/monodepth2_layout/resnet18");
        List<String> command = java("-Doffline=true", "-jar", jar.toString(), "import-monodepth2",
                "--dir", checkpoints.toString(), "--out");

        Streams quiet = execSeparately(elsewhere, Map.of(), concat(command, elsewhere.resolve("quiet").toString()));
        Streams loud = execSeparately(elsewhere, Map.of("TORCH_CPP_LOG_LEVEL", "WARNING"),
                concat(command, elsewhere.resolve("loud").toString()));

        assertThat(quiet.exit()).as(quiet.stderr()).isZero();
        assertThat(quiet.stderr()).doesNotContain("Warning:").doesNotContain("LegacyTypeDispatch");
        assertThat(loud.exit()).as(loud.stderr()).isZero();
        assertThat(loud.stderr()).contains("LegacyTypeDispatch").contains("AutoNonVariableTypeMode is deprecated");
    }

    static List<String> concat(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    /**
     * The launcher runs a per-build copy under pipeline/target/run, never the build output that the next rebuild
     * rewrites in place: a JVM started earlier keeps its classes when another command rebuilds the jar.
     */
    @Test
    void launcherRunsACopyOfTheJarThatARebuildCannotTouch(@TempDir Path elsewhere) throws Exception {
        Path launcher = repositoryRoot.resolve("depthstream");

        Streams run = execSeparately(elsewhere, Map.of("JAVA_OPTS", "-XshowSettings:properties"),
                List.of(launcher.toString(), "--version"));

        assertThat(run.exit()).as(run.stderr()).isZero();
        String classPath = run.stderr().lines().filter(line -> line.strip().startsWith("java.class.path = "))
                .map(line -> line.substring(line.indexOf('=') + 1).strip()).findFirst().orElseThrow();
        Path copy = Paths.get(classPath);
        assertThat(copy.getParent()).isEqualTo(repositoryRoot.resolve("pipeline/target/run"));
        assertThat(copy.getFileName().toString()).startsWith("depthstream-").endsWith(".jar");
        assertThat(Files.isSameFile(copy, jar)).isFalse();
        assertThat(Files.size(copy)).isEqualTo(Files.size(jar));
    }
}
