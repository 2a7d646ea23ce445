package io.depthstream.operators.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layout of an offline training run's directory (RUN_DIR):
 * <pre>
 * run.json            the run's settings, as the train command resolved them
 * metrics.csv         one row per step: step,epoch,loss,&lt;each loss term&gt;,lr,images_per_s
 * validation.csv      one row per epoch: validation loss and, with velodyne ground truth, Eigen metrics
 * metrics.png         learning curves drawn from the two CSV files
 * skipped.txt         split lines that could not be used, with the reason
 * weights/epoch_N/    after epoch N (1-based): native weights, optimizer state and progress (resumable)
 * weights/best/       the weights with the lowest validation loss so far (native weights format)
 * checkpoints/step_S/ every --checkpoint-every steps (resumable; the newest ones are kept)
 * </pre>
 *
 * @param root RUN_DIR
 */
public record RunDirectory(Path root) {

    private static final Pattern EPOCH = Pattern.compile("epoch_(\\d+)");
    private static final Pattern STEP = Pattern.compile("step_(\\d+)");

    public RunDirectory {
        if (root == null) {
            throw new IllegalArgumentException("run directory is required");
        }
    }

    public Path runConfig() {
        return root.resolve("run.json");
    }

    public Path metricsCsv() {
        return root.resolve("metrics.csv");
    }

    public Path validationCsv() {
        return root.resolve("validation.csv");
    }

    public Path metricsPng() {
        return root.resolve("metrics.png");
    }

    public Path skipped() {
        return root.resolve("skipped.txt");
    }

    public Path weights() {
        return root.resolve("weights");
    }

    /** The resumable weights written after {@code epoch} (1-based) finished. */
    public Path epochWeights(int epoch) {
        return weights().resolve("epoch_" + epoch);
    }

    public Path bestWeights() {
        return weights().resolve("best");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    /** The resumable checkpoint written after {@code step}. */
    public Path stepCheckpoint(long step) {
        return checkpoints().resolve(String.format(Locale.ROOT, "step_%d", step));
    }

    /** The step checkpoints present, oldest first. */
    public List<Path> stepCheckpoints() throws IOException {
        return numbered(checkpoints(), STEP);
    }

    /** The epoch weights present, oldest first. */
    public List<Path> epochCheckpoints() throws IOException {
        return numbered(weights(), EPOCH);
    }

    private static List<Path> numbered(Path parent, Pattern pattern) throws IOException {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> children = Files.list(parent)) {
            children.filter(Files::isDirectory)
                    .filter(path -> pattern.matcher(path.getFileName().toString()).matches())
                    .forEach(found::add);
        }
        found.sort((a, b) -> Long.compare(number(a, pattern), number(b, pattern)));
        return found;
    }

    private static long number(Path path, Pattern pattern) {
        Matcher matcher = pattern.matcher(path.getFileName().toString());
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
