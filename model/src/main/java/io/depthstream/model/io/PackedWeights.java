package io.depthstream.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.depthstream.model.net.DepthModel;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A compact parameter file for models shipped inside the repository: every tensor under its monodepth2 checkpoint
 * name, convolution weights as 8-bit integers with one float scale per output channel, everything else (biases,
 * batch norms) as float32. A {@code lite} model takes about a quarter of its float32 size.
 *
 * <p>Layout (big-endian): the magic {@code DSPW}, a format version, the tensor count, then per tensor its name
 * (modified UTF-8), rank, dimensions, an encoding byte and the values. Quantisation is symmetric:
 * {@code w = q · max|w_channel| / 127}, so the largest weight of each output channel is exact and every other is
 * within half a step.
 */
public final class PackedWeights {

    /** The file name inside a shipped model's directory. */
    public static final String FILE = "weights.packed";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAGIC = 0x44535057; // "DSPW"
    private static final int VERSION = 1;
    private static final byte FLOAT32 = 0;
    private static final byte INT8_PER_CHANNEL = 1;

    private PackedWeights() {}

    /**
     * Writes a shipped model's directory: {@code config.json} as {@link ModelWeights} writes it (format, model
     * configuration, {@code metadata}) and {@link #FILE}.
     */
    public static void pack(DepthModel model, Path directory, Map<String, ?> metadata) {
        try {
            Files.createDirectories(directory);
            try (OutputStream out = Files.newOutputStream(directory.resolve(FILE))) {
                write(model, out);
            }
            ObjectNode root = JSON.createObjectNode();
            root.put("format", ModelWeights.FORMAT);
            root.put("formatVersion", ModelWeights.FORMAT_VERSION);
            root.set("config", ModelWeights.configJson(model.config()));
            root.set("metadata", JSON.valueToTree(metadata));
            JSON.writeValue(directory.resolve(ModelWeights.CONFIG_FILE).toFile(), root);
        } catch (IOException e) {
            throw new InvalidWeightsException(directory, "cannot write packed weights: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a directory written by {@link #pack} onto a new model on {@code device} (the caller closes it).
     *
     * @throws InvalidWeightsException naming the file at fault
     */
    public static DepthModel load(Path directory, Device device) {
        DepthModel model = DepthModel.forLoading(ModelWeights.readConfig(directory), device);
        Path file = directory.resolve(FILE);
        try (InputStream in = Files.newInputStream(file)) {
            read(in, model, file);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            if (e instanceof InvalidWeightsException invalid) {
                throw invalid;
            }
            throw new InvalidWeightsException(file, Files.exists(file) ? "cannot be read: " + e.getMessage()
                    : "is missing", e);
        }
    }

    /** Writes every parameter of {@code model}; convolution weights (rank 4) quantised per output channel. */
    public static void write(DepthModel model, OutputStream target) throws IOException {
        Map<String, Parameter> parameters = model.torchParameters();
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(target));
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(parameters.size());
        for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
            NDArray array = entry.getValue().getArray();
            long[] shape = array.getShape().getShape();
            float[] values = array.toFloatArray();
            out.writeUTF(entry.getKey());
            out.writeByte(shape.length);
            for (long dim : shape) {
                out.writeInt(Math.toIntExact(dim));
            }
            if (shape.length == 4) {
                out.writeByte(INT8_PER_CHANNEL);
                writeQuantised(out, values, Math.toIntExact(shape[0]));
            } else {
                out.writeByte(FLOAT32);
                for (float v : values) {
                    out.writeFloat(v);
                }
            }
        }
        out.flush();
    }

    private static void writeQuantised(DataOutputStream out, float[] values, int channels) throws IOException {
        int perChannel = values.length / channels;
        for (int c = 0; c < channels; c++) {
            float max = 0f;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                max = Math.max(max, Math.abs(values[i]));
            }
            float scale = max / 127f;
            out.writeFloat(scale);
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                out.writeByte(scale == 0f ? 0 : Math.round(values[i] / scale));
            }
        }
    }

    /**
     * Reads a packed file onto {@code model}'s parameters: every parameter must be present with its shape, and no
     * other tensor may be.
     *
     * @param source names the file in messages
     * @throws InvalidWeightsException when the file is not a packed weights file or does not fit the model
     */
    public static void read(InputStream in, DepthModel model, Path source) {
        Map<String, Parameter> parameters = model.torchParameters();
        Set<String> seen = new HashSet<>();
        try {
            DataInputStream data = new DataInputStream(new BufferedInputStream(in));
            if (data.readInt() != MAGIC) {
                throw new InvalidWeightsException(source, "is not a packed weights file");
            }
            int version = data.readInt();
            if (version != VERSION) {
                throw new InvalidWeightsException(source, "packed weights version " + version + " is not supported");
            }
            int count = data.readInt();
            for (int t = 0; t < count; t++) {
                String name = data.readUTF();
                int rank = data.readUnsignedByte();
                long[] shape = new long[rank];
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = data.readInt();
                    size *= shape[d];
                }
                Parameter parameter = parameters.get(name);
                if (parameter == null) {
                    throw new InvalidWeightsException(source, "holds " + name + ", which the "
                            + model.config().architecture().configName() + " model does not have");
                }
                NDArray array = parameter.getArray();
                if (!Arrays.equals(array.getShape().getShape(), shape)) {
                    throw new InvalidWeightsException(source, name + " has shape " + Arrays.toString(shape)
                            + " but the model expects " + array.getShape());
                }
                float[] values = new float[Math.toIntExact(size)];
                byte encoding = data.readByte();
                if (encoding == INT8_PER_CHANNEL && rank > 0) {
                    int channels = Math.toIntExact(shape[0]);
                    int perChannel = values.length / channels;
                    for (int c = 0; c < channels; c++) {
                        float scale = data.readFloat();
                        for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                            values[i] = data.readByte() * scale;
                        }
                    }
                } else if (encoding == FLOAT32) {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = data.readFloat();
                    }
                } else {
                    throw new InvalidWeightsException(source, name + " has an unknown encoding " + encoding);
                }
                array.set(FloatBuffer.wrap(values));
                seen.add(name);
            }
            if (data.read() != -1) {
                throw new InvalidWeightsException(source, "has trailing bytes");
            }
        } catch (EOFException e) {
            throw new InvalidWeightsException(source, "is truncated", e);
        } catch (IOException e) {
            throw new InvalidWeightsException(source, "cannot be read: " + e.getMessage(), e);
        }
        for (String name : parameters.keySet()) {
            if (!seen.contains(name)) {
                throw new InvalidWeightsException(source, "lacks " + name);
            }
        }
        model.parametersChanged();
    }
}
