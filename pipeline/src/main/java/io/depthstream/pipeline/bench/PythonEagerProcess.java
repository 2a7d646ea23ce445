package io.depthstream.pipeline.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch eager side of a benchmark: a script of {@code integration-tests/bench/} kept running in a child
 * process, so that its rounds can alternate with the Java rounds in one run. {@code monodepth2_eager.py} answers
 * inference requests, {@code monodepth2_train.py} training requests; both print {@code ready ...} once built and
 * then one {@link PythonTiming} line per request line.
 */
final class PythonEagerProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader replies;
    private final Writer requests;
    private final String banner;

    /**
     * Starts {@code script} with {@code --arch --height --width --threads} and waits until it has built its networks.
     *
     * @throws IOException when the script is missing or does not start (e.g. no torch for this interpreter)
     */
    PythonEagerProcess(Path python, Path script, String architecture, int height, int width, int threads)
            throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IOException("benchmark script not found: " + script);
        }
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), "--arch", architecture,
                "--height", Integer.toString(height), "--width", Integer.toString(width),
                "--threads", Integer.toString(threads)));
        process = new ProcessBuilder(command)
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
        return request(kind + " " + batch + " " + iterations).seconds();
    }

    /** Runs {@code steps} training steps at {@code batch} on random triplets; the reply has per-phase seconds. */
    PythonTiming train(int batch, int steps) throws IOException {
        return request("train " + batch + " " + steps);
    }

    private PythonTiming request(String line) throws IOException {
        requests.write(line + "\n");
        requests.flush();
        return PythonTiming.parse(replies.readLine());
    }

    @Override
    public void close() throws IOException {
        try {
            requests.close();
        } catch (IOException e) {
            // the process is already gone; waiting below still reaps it
        }
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
