package io.depthstream.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Imports monodepth2 checkpoints ({@code encoder.pth}, {@code depth.pth}, and optionally {@code pose_encoder.pth},
 * {@code pose.pth}) without Python: reads PyTorch's files, infers the architecture and input size, and copies every
 * tensor onto the matching parameter. Every key must match: unknown or missing keys are errors naming the key. The
 * keys monodepth2 writes that are no parameter of the depth or pose network (torchvision's ImageNet classifier in
 * both encoders, batch norms' {@code num_batches_tracked}, plain values such as {@code use_stereo}) are skipped and
 * listed in the {@link Result}.
 */
public final class Monodepth2Import {

    static final String ENCODER = "encoder.pth";
    static final String DEPTH = "depth.pth";
    static final String POSE_ENCODER = "pose_encoder.pth";
    static final String POSE = "pose.pth";

    /**
     * The classifier monodepth2's encoders keep: they wrap a whole torchvision ResNet, whose average-pool + fully
     * connected head is saved with the convolutional layers although no forward pass of monodepth2 reaches it.
     */
    private static final List<String> CLASSIFIER_KEYS = List.of("encoder.fc.weight", "encoder.fc.bias");
    private static final String BATCH_COUNTER = "num_batches_tracked";
    /** The plain values of {@code encoder.pth} the import reads; every other plain value is skipped. */
    private static final List<String> SIZE_KEYS = List.of("height", "width");

    private Monodepth2Import() {}

    /** Why a checkpoint entry was read but not copied onto the model. */
    public enum SkipReason {
        /** {@code encoder.fc.weight} / {@code encoder.fc.bias} of {@code encoder.pth} or {@code pose_encoder.pth}. */
        CLASSIFIER("torchvision's ImageNet classifier, unused by depth and pose"),
        /** A batch norm's {@code num_batches_tracked}, next to the statistics of a batch norm the network has. */
        BATCH_COUNTER("batch-norm training counters, no effect on the outputs"),
        /** A non-tensor entry other than {@code encoder.pth}'s height and width, such as {@code use_stereo}. */
        PLAIN_VALUE("not a tensor; only encoder.pth's height and width are read");

        private final String description;

        SkipReason(String description) {
            this.description = description;
        }

        /** Why such keys are skipped, for people. */
        public String description() {
            return description;
        }
    }

    /**
     * A key a checkpoint holds that the import accepted without copying it.
     *
     * @param file the checkpoint's file name, such as {@code encoder.pth}
     * @param key the state dict key
     * @param reason why it is not part of the depthstream model
     */
    public record SkippedKey(String file, String key, SkipReason reason) {}

    /**
     * What an import produced.
     *
     * @param model the model, parameters loaded (the caller closes it)
     * @param poseImported whether pose files were present; without them the pose network keeps seeded random weights
     * @param skipped the keys read but not copied, file by file (encoder, depth, pose encoder, pose): a file's plain
     *     values first, then its tensors in the file's order
     */
    public record Result(DepthModel model, boolean poseImported, List<SkippedKey> skipped) {

        public Result {
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Reads the checkpoints in {@code directory} onto a new model on {@code device}.
     *
     * @throws InvalidWeightsException naming the file and key when something does not fit
     * @throws TorchCheckpointException when a file is not a readable PyTorch checkpoint
     */
    public static Result load(Path directory, Device device) {
        if (!Files.isDirectory(directory)) {
            throw new InvalidWeightsException(directory, "checkpoint directory does not exist");
        }
        Path encoderFile = require(directory.resolve(ENCODER));
        Path depthFile = require(directory.resolve(DEPTH));
        TorchCheckpoint encoder = TorchCheckpoint.read(encoderFile);
        TorchCheckpoint depth = TorchCheckpoint.read(depthFile);
        ModelConfig config = ModelConfig.monodepth2(architectureOf(encoder))
                .withSize(intValue(encoder, "height"), intValue(encoder, "width"));

        Path poseEncoderFile = directory.resolve(POSE_ENCODER);
        Path poseFile = directory.resolve(POSE);
        boolean pose = Files.exists(poseEncoderFile) || Files.exists(poseFile);
        DepthModel model = DepthModel.forLoading(config, device);
        try {
            Map<String, Parameter> parameters = model.torchParameters();
            List<SkippedKey> skipped = new ArrayList<>();
            copy(encoder, parameters, ENCODER, skipped);
            copy(depth, parameters, DEPTH, skipped);
            if (pose) {
                copy(TorchCheckpoint.read(require(poseEncoderFile)), parameters, POSE_ENCODER, skipped);
                copy(TorchCheckpoint.read(require(poseFile)), parameters, POSE, skipped);
            }
            model.parametersChanged();
            return new Result(model, pose, skipped);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidWeightsException(file, "is missing");
        }
        return file;
    }

    private static int intValue(TorchCheckpoint checkpoint, String key) {
        Object value = checkpoint.values().get(key);
        if (!(value instanceof Number number)) {
            throw new InvalidWeightsException(checkpoint.source(), "has no integer '" + key
                    + "' entry (monodepth2's encoder.pth stores the training height and width)");
        }
        return number.intValue();
    }

    /** ResNet-50 has bottleneck conv3s; lite has a 16-channel stem; ResNet-18 has two basic blocks per stage. */
    static Architecture architectureOf(TorchCheckpoint encoder) {
        Map<String, TorchTensor> tensors = encoder.tensors();
        TorchTensor stem = tensors.get("encoder.conv1.weight");
        if (stem == null) {
            throw new InvalidWeightsException(encoder.source(), "missing key encoder.conv1.weight: not a monodepth2 encoder");
        }
        boolean bottleneck = tensors.containsKey("encoder.layer1.0.conv3.weight");
        int[] blocks = new int[4];
        for (int stage = 0; stage < 4; stage++) {
            while (tensors.containsKey("encoder.layer" + (stage + 1) + "." + blocks[stage] + ".conv1.weight")) {
                blocks[stage]++;
            }
        }
        for (Architecture architecture : Architecture.values()) {
            List<Integer> expected = architecture.blocksPerStage();
            boolean sameBlocks = Arrays.equals(blocks, expected.stream().mapToInt(Integer::intValue).toArray());
            if (architecture.bottleneck() == bottleneck && sameBlocks
                    && architecture.featureChannels()[0] == stem.shape()[0]) {
                return architecture;
            }
        }
        throw new InvalidWeightsException(encoder.source(), "encoder with " + (bottleneck ? "bottleneck" : "basic")
                + " blocks " + Arrays.toString(blocks) + " and a " + stem.shape()[0]
                + "-channel stem is not a supported architecture (resnet18, resnet50, lite)");
    }

    private static void copy(TorchCheckpoint checkpoint, Map<String, Parameter> parameters, String file,
                             List<SkippedKey> skipped) {
        String prefix = file + "/";
        boolean encoderFile = file.equals(ENCODER) || file.equals(POSE_ENCODER);
        for (String key : checkpoint.values().keySet()) {
            if (!(file.equals(ENCODER) && SIZE_KEYS.contains(key))) {
                skipped.add(new SkippedKey(file, key, SkipReason.PLAIN_VALUE));
            }
        }
        for (Map.Entry<String, TorchTensor> entry : checkpoint.tensors().entrySet()) {
            String key = entry.getKey();
            if (encoderFile && CLASSIFIER_KEYS.contains(key)) {
                skipped.add(new SkippedKey(file, key, SkipReason.CLASSIFIER));
                continue;
            }
            // only beside a batch norm the network has: a counter anywhere else is a misspelt or foreign key
            if (key.endsWith("." + BATCH_COUNTER) && parameters.containsKey(
                    prefix + key.substring(0, key.length() - BATCH_COUNTER.length()) + "running_mean")) {
                skipped.add(new SkippedKey(file, key, SkipReason.BATCH_COUNTER));
                continue;
            }
            Parameter parameter = parameters.get(prefix + key);
            if (parameter == null) {
                throw new InvalidWeightsException(checkpoint.source(), "unknown key " + key
                        + " (not a parameter of the monodepth2 architecture)");
            }
            NDArray array = parameter.getArray();
            TorchTensor tensor = entry.getValue();
            if (!Arrays.equals(array.getShape().getShape(), tensor.shape())) {
                throw new InvalidWeightsException(checkpoint.source(), "key " + key + " has shape "
                        + Arrays.toString(tensor.shape()) + " but the network expects " + array.getShape());
            }
            if (tensor.floats() == null) {
                throw new InvalidWeightsException(checkpoint.source(), "key " + key + " holds "
                        + tensor.dtype() + " values, not floating point");
            }
            array.set(FloatBuffer.wrap(tensor.floats()));
        }
        for (String name : parameters.keySet()) {
            if (name.startsWith(prefix) && !checkpoint.tensors().containsKey(name.substring(prefix.length()))) {
                throw new InvalidWeightsException(checkpoint.source(), "missing key " + name.substring(prefix.length()));
            }
        }
    }
}
