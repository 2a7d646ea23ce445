package io.depthstream.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A state dict read from a PyTorch {@code .pth} file, such as monodepth2's {@code encoder.pth}, without Python.
 *
 * @param source the file it was read from
 * @param tensors the tensors by parameter name, in the file's order
 * @param values the entries that are not tensors (monodepth2 keeps {@code height}, {@code width} and
 *     {@code use_stereo} there): {@link Long}, {@link BigInteger}, {@link Double}, {@link Boolean}, {@link String},
 *     {@code null}, or lists and maps of these
 */
public record TorchCheckpoint(Path source, Map<String, TorchTensor> tensors, Map<String, Object> values) {

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final int MAX_VALUE_DEPTH = 64;
    // PROTO 2, LONG1 of 10 bytes: how the legacy format's magic number pickle starts
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 2, (byte) 0x8a, 10};

    public TorchCheckpoint {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * Reads a checkpoint written by {@code torch.save(state_dict)}: the zip format of torch 1.6 and later, or the
     * legacy format before it (monodepth2's published weights).
     *
     * @throws TorchCheckpointException naming the file, when it is missing, is no checkpoint, or holds something
     *     this reader refuses (a global other than tensors and ordered dicts, an unsupported opcode or dtype)
     */
    public static TorchCheckpoint read(Path file) {
        byte[] head = new byte[512];
        int length;
        try (InputStream in = Files.newInputStream(file)) {
            length = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new TorchCheckpointException(file + ": no such file", e);
        } catch (IOException e) {
            throw new TorchCheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (startsWith(head, length, ZIP_MAGIC)) {
            return ZipCheckpointFormat.read(file);
        }
        if (startsWith(head, length, LEGACY_MAGIC)) {
            return LegacyCheckpointFormat.read(file);
        }
        if (length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new TorchCheckpointException(file + ": the tar-based .pth format of early torch versions is not supported: "
                    + "re-save it with torch>=1.6");
        }
        throw new TorchCheckpointException(file + ": not a PyTorch checkpoint (neither the zip format of torch>=1.6 "
                + "nor the legacy format)");
    }

    /** The tensor named {@code name}. */
    public TorchTensor tensor(String name) {
        TorchTensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new TorchCheckpointException(source + ": has no tensor " + name + " (" + tensors.size()
                    + " tensors, such as " + tensors.keySet().stream().limit(5).toList() + ")");
        }
        return tensor;
    }

    /**
     * Sorts an unpickled state dict's entries into tensors and plain values, reading each tensor's storage through
     * {@code storage} (which the formats cache, as views share storages).
     */
    static TorchCheckpoint assemble(Path source, Object root, Function<StorageRef, ByteBuffer> storage) {
        if (!(root instanceof Map<?, ?> entries)) {
            throw new TorchCheckpointException(source + ": holds a " + Unpickler.describe(root)
                    + ", not a state dict");
        }
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : entries.entrySet()) {
            if (!(entry.getKey() instanceof String name)) {
                throw new TorchCheckpointException(source + ": state dict key " + entry.getKey() + " is not a str");
            }
            if (entry.getValue() instanceof TensorRef tensor) {
                tensors.put(name, tensor.materialize(storage.apply(tensor.storage()), source + ": tensor " + name));
            } else if (isPlain(entry.getValue(), 0, source, name)) {
                values.put(name, entry.getValue());
            } else {
                throw new TorchCheckpointException(source + ": entry " + name + " holds "
                        + Unpickler.describe(entry.getValue()) + " with tensors or storages inside; only a flat "
                        + "state dict of tensors and plain values is supported");
            }
        }
        return new TorchCheckpoint(source, tensors, values);
    }

    private static boolean isPlain(Object value, int depth, Path source, String name) {
        if (depth > MAX_VALUE_DEPTH) {
            throw new TorchCheckpointException(source + ": entry " + name + " nests deeper than " + MAX_VALUE_DEPTH
                    + " levels or holds itself");
        }
        if (value instanceof List<?> list) {
            return list.stream().allMatch(item -> isPlain(item, depth + 1, source, name));
        }
        if (value instanceof Map<?, ?> map) {
            return map.keySet().stream().allMatch(key -> isPlain(key, depth + 1, source, name))
                    && map.values().stream().allMatch(item -> isPlain(item, depth + 1, source, name));
        }
        return value == null || value instanceof Long || value instanceof BigInteger || value instanceof Double
                || value instanceof Boolean || value instanceof String;
    }

    private static boolean startsWith(byte[] head, int length, byte[] magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
