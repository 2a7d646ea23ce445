package io.depthstream.pipeline.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch eager side of the inference benchmark: {@code integration-tests/bench/monodepth2_eager.py} kept
 * running in a child process, so that its rounds can alternate with the Java rounds in one run.
 */
final class PythonEagerProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader replies;
    private final Writer requests;
    private final String banner;

    PythonEagerProcess(Path python, Path script, String architecture, int height, int width, int threads)
            throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IOException("benchmark script not found: " + script);
        }
        process = new ProcessBuilder(List.of(python.toString(), script.toString(), "--arch", architecture,
                "--height", Integer.toString(height), "--width", Integer.toString(width),
                "--threads", Integer.toString(threads)))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String first = replies.readLine();
        if (first == null || !first.startsWith("ready")) {
            close();
            throw new IOException(python + " could not run " + script + " (needs torch; e.g. Debian's python3-torch)");
        }
        banner = first.substring("ready".length()).trim();
    }

    /** What the Python side reported about itself, e.g. {@code torch 1.13.0 threads 2}. */
    String banner() {
        return banner;
    }

    /** Runs {@code iterations} forward passes of {@code kind} at {@code batch}; returns elapsed seconds. */
    double run(String kind, int batch, int iterations) throws IOException {
        requests.write(kind + " " + batch + " " + iterations + "\n");
        requests.flush();
        String reply = replies.readLine();
        if (reply == null) {
            throw new IOException("the PyTorch benchmark process ended unexpectedly");
        }
        return Double.parseDouble(reply.trim());
    }

    @Override
    public void close() throws IOException {
        requests.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
