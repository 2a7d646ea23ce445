package io.depthstream.operators.inference;

import ai.djl.Device;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.ShippedModel;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.PublishedVersion;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the inference operator's model comes from: a native weights directory ({@link ModelWeights}), a version of
 * a {@link ModelStore} (any Flink file system), a model that ships with depthstream ({@link ShippedModel}), or a
 * model freshly initialised from a seed (tests and experiments). Serializable, so it travels
 * with the job graph; the model itself is only built in the operator's {@code open}.
 *
 * @param weightsDirectory the weights directory (a path on every TaskManager, or a model store version's URI with
 *     {@code storeVersion}), or null for a seeded model
 * @param architecture seeded model: encoder layout
 * @param height seeded model: input height
 * @param width seeded model: input width
 * @param minDepth seeded model: depth range minimum
 * @param maxDepth seeded model: depth range maximum
 * @param scales seeded model: output scales
 * @param seed seeded model: the engine seed
 * @param storeVersion the model store version's name ({@code v<N>}) when {@code weightsDirectory} is its URI, else
 *     null
 * @param shipped the shipped model's name ({@link ShippedModel#initName()}), or null
 */
public record ModelSource(
        String weightsDirectory,
        Architecture architecture,
        int height,
        int width,
        double minDepth,
        double maxDepth,
        List<Integer> scales,
        int seed,
        String storeVersion,
        String shipped) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ModelSource {
        if (shipped != null) {
            if (ShippedModel.byName(shipped) == null) {
                throw new IllegalArgumentException("no shipped model '" + shipped + "' (there is " + ShippedModel.names()
                        + ")");
            }
        } else if (weightsDirectory == null) {
            // validates the seeded configuration now, on the client, rather than in every subtask
            config(architecture, height, width, minDepth, maxDepth, scales);
            scales = List.copyOf(scales);
        } else if (weightsDirectory.isBlank()) {
            throw new IllegalArgumentException("weights directory must not be blank");
        }
    }

    /** A native weights directory. */
    public static ModelSource weights(Path directory) {
        return new ModelSource(directory.toString(), null, 0, 0, 0, 0, null, 0, null, null);
    }

    /** A model that ships with depthstream. */
    public static ModelSource shipped(ShippedModel model) {
        return new ModelSource(null, null, 0, 0, 0, 0, null, 0, null, model.initName());
    }

    /** A model initialised from {@code seed} for {@code config}. */
    public static ModelSource random(ModelConfig config, int seed) {
        return new ModelSource(null, config.architecture(), config.height(), config.width(), config.minDepth(),
                config.maxDepth(), config.scales(), seed, null, null);
    }

    /** A published version of a model store, loaded through Flink's file systems. */
    public static ModelSource storeVersion(PublishedVersion version) {
        return new ModelSource(version.uri(), null, 0, 0, 0, 0, null, 0, version.name(), null);
    }

    /** Loads or initialises the model on {@code device}. */
    public DepthModel load(Device device) {
        if (shipped != null) {
            return ShippedModel.byName(shipped).load(device);
        }
        if (storeVersion != null) {
            return ModelStore.load(weightsDirectory, device);
        }
        if (weightsDirectory != null) {
            return ModelWeights.load(Path.of(weightsDirectory), device);
        }
        return DepthModel.initialise(config(architecture, height, width, minDepth, maxDepth, scales), device, seed);
    }

    /**
     * The version results are tagged with: the weights' metadata {@code version} when it has one, otherwise
     * {@code weights-<directory name>}; the shipped model's name ({@code lite-synthetic}); {@code
     * random-<architecture>-<seed>} for a seeded model.
     */
    public String version() {
        if (shipped != null) {
            return ShippedModel.byName(shipped).version();
        }
        if (storeVersion != null) {
            return storeVersion;
        }
        if (weightsDirectory != null) {
            Path directory = Path.of(weightsDirectory);
            String version = ModelWeights.readMetadata(directory).path("version").asText("");
            if (!version.isEmpty()) {
                return version;
            }
            Path name = directory.toAbsolutePath().normalize().getFileName();
            return "weights-" + (name == null ? directory : name);
        }
        return "random-" + architecture.configName() + "-" + seed;
    }

    private static ModelConfig config(Architecture architecture, int height, int width, double minDepth,
                                      double maxDepth, List<Integer> scales) {
        if (architecture == null || scales == null) {
            throw new IllegalArgumentException("a seeded model needs an architecture and scales");
        }
        return new ModelConfig(architecture, height, width, minDepth, maxDepth, scales);
    }
}
