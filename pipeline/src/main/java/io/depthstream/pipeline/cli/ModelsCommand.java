package io.depthstream.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.PackedWeights;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.operators.learner.VersionMetrics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code depthstream models}: the versions in a model store, their metrics, and rolling back to one. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = {
            "See the versions in a model store and roll back to one.",
            "",
            "A model store is a directory or a Flink file system URI (file:///path;",
            "s3://, hdfs:// and other schemes need that Flink file system on the",
            "class path). It holds one immutable directory per version, v0/, v1/,",
            "...: native weights (config.json, depth.params, pose.params),",
            "metrics.json, and an empty _COMPLETE written last. A directory without",
            "_COMPLETE is a publication that did not finish: it is not a version",
            "and is never listed. The latest version is the complete one with the",
            "highest number.",
            "",
            "pack writes native weights in the compact form the shipped models",
            "take (models/ in the repository)."
        },
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Rollback.class,
            ModelsCommand.Pack.class})
public final class ModelsCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    // milliseconds always shown, so the column keeps its width (Instant.toString drops zero fractions)
    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list, show, rollback or pack");
    }

    /** The {@code --store} option every subcommand takes. */
    static final class StoreOption {

        @Option(names = "--store", required = true, paramLabel = "URI",
                description = "The model store: a directory or a Flink file system URI.")
        String location;

        /** The store, which must exist: a mistyped location is an error, not an empty list. */
        ModelStore open() {
            ModelStore store = new ModelStore(location);
            if (!store.exists()) {
                throw new IllegalArgumentException("no model store at " + store.uri() + ": it does not exist");
            }
            return store;
        }
    }

    /** {@code models list}: one line per version. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "List the versions of a model store, oldest first, and the latest.",
                "",
                "Columns: version, learner step, held-out photometric loss (what",
                "publication is gated on), mean training loss, creation time (UTC),",
                "the version it was fine-tuned from and, for a rollback, the version",
                "it republishes; '-' where a value is unknown or does not apply."
            })
    static final class ListVersions implements Callable<Integer> {

        @Mixin
        StoreOption store;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ModelStore opened = store.open();
            List<PublishedVersion> versions = opened.versions();
            PrintWriter out = spec.commandLine().getOut();
            if (versions.isEmpty()) {
                out.println("no versions in " + opened.uri());
                out.flush();
                return 0;
            }
            String format = "%-8s %10s %14s %11s  %-24s %7s %12s%n";
            out.printf(Locale.ROOT, format, "version", "step", "held-out loss", "train loss", "created", "parent",
                    "rollback of");
            for (PublishedVersion version : versions) {
                VersionMetrics metrics = version.metrics();
                out.printf(Locale.ROOT, format, version.name(), metrics.step(), loss(metrics.heldOutLoss()),
                        loss(metrics.trainLoss()), CREATED.format(metrics.created()), name(metrics.parent()),
                        name(metrics.rollbackOf()));
            }
            out.println("latest: " + versions.get(versions.size() - 1).name());
            out.flush();
            return 0;
        }

        private static String loss(double value) {
            return Double.isFinite(value) ? String.format(Locale.ROOT, "%.6f", value) : "-";
        }

        private static String name(Integer version) {
            return version == null ? "-" : PublishedVersion.name(version);
        }
    }

    /** {@code models show}: everything about one version, as JSON. */
    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = {
                "Print one version as JSON.",
                "",
                "Its name, URI, whether it is the latest, its metrics (metrics.json),",
                "its weights' config.json (format, model configuration, metadata) and",
                "its files with their sizes in bytes."
            })
    static final class Show implements Callable<Integer> {

        @Mixin
        StoreOption store;

        @Parameters(index = "0", paramLabel = "VERSION", description = "v<N>, N, or latest.")
        String version;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ModelStore opened = store.open();
            Optional<PublishedVersion> latest = opened.latest();
            PublishedVersion shown;
            if (version.trim().equals("latest")) {
                shown = latest.orElseThrow(() -> new IllegalArgumentException(
                        "model store " + opened.uri() + " has no versions"));
            } else {
                int number = PublishedVersion.parseNumber(version);
                shown = opened.version(number).orElseThrow(() -> new IllegalArgumentException(
                        "no version " + PublishedVersion.name(number) + " in model store " + opened.uri()
                                + " (versions: " + names(opened.versions()) + ")"));
            }
            ObjectNode root = JSON.createObjectNode();
            root.put("version", shown.name());
            root.put("uri", shown.uri());
            root.put("latest", latest.map(l -> l.number() == shown.number()).orElse(false));
            root.set("metrics", shown.metrics().toJson());
            root.set("weights", opened.weightsConfig(shown.number()));
            ObjectNode files = root.putObject("files");
            opened.files(shown.number()).forEach(files::put);
            PrintWriter out = spec.commandLine().getOut();
            out.println(JSON.writeValueAsString(root));
            out.flush();
            return 0;
        }
    }

    /** {@code models rollback}: republishes an older version as the newest. */
    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description = {
                "Publish an older version again as the newest one.",
                "",
                "The new version, v<highest + 1>, holds the older version's weights",
                "(copied byte for byte) and metrics, with rollback_of set; no version",
                "is changed or removed. Prints the new version. Only the store",
                "changes: a running stream learns of new versions from the",
                "model-updates topic, which this command does not write."
            })
    static final class Rollback implements Callable<Integer> {

        @Mixin
        StoreOption store;

        @Option(names = "--to", required = true, paramLabel = "VERSION", description = "The version to go back to: v<N> or N.")
        String to;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ModelStore opened = store.open();
            int number = PublishedVersion.parseNumber(to);
            Optional<PublishedVersion> latest = opened.latest();
            if (latest.isPresent() && latest.get().number() == number) {
                throw new IllegalArgumentException(PublishedVersion.name(number)
                        + " is already the latest version of model store " + opened.uri() + "; nothing to roll back");
            }
            PublishedVersion published = opened.rollback(number);
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%s (rollback of %s, step %d): %s%n", published.name(), PublishedVersion.name(number),
                    published.metrics().step(), published.uri());
            out.flush();
            return 0;
        }
    }

    /** {@code models pack}: native weights to the compact form of the models that ship with depthstream. */
    @Command(
            name = "pack",
            mixinStandardHelpOptions = true,
            description = {
                "Pack native weights compactly, as the shipped models are stored.",
                "",
                "OUT gets config.json (the weights' configuration and metadata, plus",
                "packed_from) and weights.packed: convolution weights as 8-bit integers",
                "with one scale per output channel, biases and batch norms as float32",
                "(about a quarter of the native size). Prints the sizes and the largest",
                "change of the scale-0 disparity on a seeded random batch, which packing",
                "causes."
            })
    static final class Pack implements Callable<Integer> {

        @Option(names = "--weights", required = true, paramLabel = "WEIGHTS", description = "Native weights directory.")
        Path weights;

        @Option(names = "--out", required = true, paramLabel = "OUT", description = "Directory to write.")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> metadata = new LinkedHashMap<>();
            JSON.convertValue(ModelWeights.readMetadata(weights), Map.class)
                    .forEach((k, v) -> metadata.put(String.valueOf(k), v));
            metadata.put("packed_from", weights.toAbsolutePath().normalize().toString());
            double change;
            try (DepthModel model = ModelWeights.load(weights, Device.cpu())) {
                PackedWeights.pack(model, out, metadata);
                try (DepthModel packed = PackedWeights.load(out, Device.cpu())) {
                    change = largestDisparityChange(model, packed);
                }
            }
            long before = Files.size(weights.resolve("depth.params")) + Files.size(weights.resolve("pose.params"));
            long after = Files.size(out.resolve(PackedWeights.FILE));
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "packed %s (%.1f MB) -> %s (%.1f MB); largest scale-0 disparity change %.2e%n",
                    weights, before / 1e6, out.resolve(PackedWeights.FILE), after / 1e6, change);
            stdout.flush();
            return 0;
        }

        private static double largestDisparityChange(DepthModel a, DepthModel b) {
            ModelConfig config = a.config();
            float[] da;
            float[] db;
            try (NDManager batch = NDManager.newBaseManager(Device.cpu())) {
                batch.getEngine().setRandomSeed(1);
                NDArray images = batch.randomUniform(0f, 1f, new Shape(2, 3, config.height(), config.width()));
                da = a.disparityForInference(images).toFloatArray();
                db = b.disparityForInference(images).toFloatArray();
            }
            double worst = 0;
            for (int i = 0; i < da.length; i++) {
                worst = Math.max(worst, Math.abs(da[i] - db[i]));
            }
            return worst;
        }
    }

    private static String names(List<PublishedVersion> versions) {
        return versions.isEmpty() ? "none" : String.join(", ", versions.stream().map(PublishedVersion::name).toList());
    }
}
