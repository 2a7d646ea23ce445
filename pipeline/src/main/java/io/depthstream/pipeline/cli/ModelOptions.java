package io.depthstream.pipeline.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.depthstream.model.device.DeviceChoice;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.ShippedModel;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by commands that run a model: where its weights come from, and on which device. */
final class ModelOptions {

    @Option(names = "--weights", paramLabel = "WEIGHTS",
            description = "Native weights directory (from train or import-monodepth2).")
    Path weights;

    @Option(names = "--init", paramLabel = "synthetic|random",
            description = "Instead of --weights: synthetic, the model that ships with depthstream (lite, trained on "
                    + "synthetic drives), or random, a seeded randomly initialised model for experiments.")
    String init;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for --init random (default: ${DEFAULT-VALUE}).")
    int seed;

    @Option(names = "--arch", defaultValue = "resnet18", paramLabel = "resnet18|resnet50|lite",
            description = "Architecture for --init random (default: ${DEFAULT-VALUE}).")
    String architecture;

    @Option(names = "--height", defaultValue = "192", description = "Input height for --init random (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--width", defaultValue = "640", description = "Input width for --init random (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = "Where the networks run (default: ${DEFAULT-VALUE}).")
    String device;

    /** Loads (or, with --init random, creates) the model; a missing choice is a usage error, not a silent default. */
    DepthModel open(CommandLine commandLine) {
        Device target = DeviceChoice.parse(device).resolve(Engine.getInstance());
        if (weights != null && init != null) {
            throw new CommandLine.ParameterException(commandLine, "give either --weights or --init random, not both");
        }
        if (weights != null) {
            return ModelWeights.load(weights, target);
        }
        if (init == null) {
            throw new CommandLine.ParameterException(commandLine, "no --weights given: a randomly initialised network"
                    + " is not a model. Pass --weights DIR (see train and import-monodepth2), --init synthetic (the shipped"
                    + " model) or --init random --seed N for experiments");
        }
        ShippedModel shipped = ShippedModel.byName(init);
        if (shipped != null) {
            return shipped.load(target);
        }
        if (!"random".equals(init)) {
            throw new CommandLine.ParameterException(commandLine, "--init accepts random or " + ShippedModel.names()
                    + ", got '" + init + "'");
        }
        ModelConfig config = ModelConfig.monodepth2(Architecture.parse(architecture)).withSize(height, width);
        return DepthModel.initialise(config, target, seed);
    }
}
