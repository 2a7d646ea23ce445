package io.depthstream.pipeline.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings of an offline training run, as {@code depthstream train} resolved them; written to
 * {@code RUN_DIR/run.json} so that {@code --resume} and the job jar's entry point run the same job.
 *
 * @param data KITTI raw root (archives or folders)
 * @param trainSplit split file of the training lines
 * @param valSplit split file of the validation lines, or null for none
 * @param evalSplit split file for the Eigen evaluation at the end, or null
 * @param runDirectory RUN_DIR
 * @param epochs epochs of the run
 * @param batch triplets per step
 * @param height network input height (from the initial weights when the run starts from weights)
 * @param width network input width
 * @param architecture resnet18, resnet50 or lite
 * @param init where the weights start: {@code random}, or the native weights directory to start from
 * @param seed seeds initialisation, shuffling, augmentation and the objective's noise
 * @param learningRate learning rate of epoch 0
 * @param lrGamma StepLR factor
 * @param lrStepEpochs StepLR period in epochs
 * @param triplet triplet term: none, fsre, isolated or differential
 * @param augment colour jitter and flips as monodepth2 trains
 * @param parallelism parallelism of reading and preparing triplets (the learner always runs alone)
 * @param checkpointEvery resumable checkpoint every this many steps (0: only after each epoch)
 * @param keepCheckpoints how many step checkpoints to keep
 * @param maxSkipFraction fail when more than this fraction of an epoch's lines cannot be used
 * @param linesPerSplit split lines per unit of work of the source
 * @param device auto, cpu or gpu
 * @param automaskWarmup the first steps train with auto-masking off (0: monodepth2, masked from the first step);
 *     absent from the run.json of runs made before it existed, which read as 0, what they ran with
 */
public record TrainingJobConfig(
        String data,
        String trainSplit,
        String valSplit,
        String evalSplit,
        String runDirectory,
        int epochs,
        int batch,
        int height,
        int width,
        String architecture,
        String init,
        long seed,
        double learningRate,
        double lrGamma,
        int lrStepEpochs,
        String triplet,
        boolean augment,
        int parallelism,
        int checkpointEvery,
        int keepCheckpoints,
        double maxSkipFraction,
        int linesPerSplit,
        String device,
        int automaskWarmup) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public TrainingJobConfig {
        require(data != null && trainSplit != null && runDirectory != null, "data, train split and run directory are required");
        require(epochs >= 1, "epochs must be at least 1, got " + epochs);
        require(batch >= 1, "batch must be at least 1, got " + batch);
        require(height > 0 && width > 0 && height % 32 == 0 && width % 32 == 0,
                "height and width must be positive multiples of 32, got " + width + "x" + height);
        require(learningRate > 0 && lrGamma > 0 && lrStepEpochs >= 1, "learning rate and gamma must be positive and"
                + " the step period at least 1 epoch");
        require(parallelism >= 1, "parallelism must be at least 1, got " + parallelism);
        require(checkpointEvery >= 0, "checkpoint interval must not be negative, got " + checkpointEvery);
        require(keepCheckpoints >= 1, "keep at least 1 checkpoint, got " + keepCheckpoints);
        require(maxSkipFraction >= 0 && maxSkipFraction <= 1, "max skip fraction must be in [0, 1], got " + maxSkipFraction);
        require(linesPerSplit >= 1, "lines per split must be at least 1, got " + linesPerSplit);
        require(init != null && !init.isBlank(), "init is required (random or a weights directory)");
        require(automaskWarmup >= 0, "auto-mask warm-up must be 0 or more steps, got " + automaskWarmup);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Whether the run starts from a seeded random initialisation. */
    public boolean randomInit() {
        return "random".equals(init);
    }

    /** Writes this config as JSON. */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), this);
    }

    /** Reads a config written by {@link #write}. */
    public static TrainingJobConfig read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), TrainingJobConfig.class);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read the run settings " + file + ": " + e.getMessage(), e);
        }
    }

    public TrainingJobConfig withEpochs(int value) {
        return new TrainingJobConfig(data, trainSplit, valSplit, evalSplit, runDirectory, value, batch, height, width,
                architecture, init, seed, learningRate, lrGamma, lrStepEpochs, triplet, augment, parallelism,
                checkpointEvery, keepCheckpoints, maxSkipFraction, linesPerSplit, device,
                automaskWarmup);
    }

    public TrainingJobConfig withParallelism(int value) {
        return new TrainingJobConfig(data, trainSplit, valSplit, evalSplit, runDirectory, epochs, batch, height, width,
                architecture, init, seed, learningRate, lrGamma, lrStepEpochs, triplet, augment, value,
                checkpointEvery, keepCheckpoints, maxSkipFraction, linesPerSplit, device,
                automaskWarmup);
    }

    public TrainingJobConfig withEvalSplit(String value) {
        return new TrainingJobConfig(data, trainSplit, valSplit, value, runDirectory, epochs, batch, height, width,
                architecture, init, seed, learningRate, lrGamma, lrStepEpochs, triplet, augment, parallelism,
                checkpointEvery, keepCheckpoints, maxSkipFraction, linesPerSplit, device,
                automaskWarmup);
    }

    public TrainingJobConfig withDevice(String value) {
        return new TrainingJobConfig(data, trainSplit, valSplit, evalSplit, runDirectory, epochs, batch, height, width,
                architecture, init, seed, learningRate, lrGamma, lrStepEpochs, triplet, augment, parallelism,
                checkpointEvery, keepCheckpoints, maxSkipFraction, linesPerSplit, value,
                automaskWarmup);
    }
}
