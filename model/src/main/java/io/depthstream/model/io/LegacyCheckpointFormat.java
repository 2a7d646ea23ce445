package io.depthstream.model.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint format of torch before 1.6, in which monodepth2's published weights were saved: consecutive
 * pickles of a magic number, the protocol version 1001, system info, the state dict and its storage keys, then
 * each storage's raw bytes after an int64 element count, in the order of the keys.
 */
final class LegacyCheckpointFormat {

    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long PROTOCOL_VERSION = 1001;

    private LegacyCheckpointFormat() {
    }

    static TorchCheckpoint read(Path file) {
        String source = file.toString();
        byte[] bytes;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 8) {
                throw new TorchCheckpointException(source + ": legacy checkpoints over 2 GiB are not supported");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TorchCheckpointException(source + ": cannot read: " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        StateDictHooks hooks = new StateDictHooks(source);

        Object magic = Unpickler.load(in, source, hooks);
        if (!MAGIC.equals(magic)) {
            throw new TorchCheckpointException(source + ": not a PyTorch checkpoint: wrong magic number");
        }
        Object protocol = Unpickler.load(in, source, hooks);
        if (!Long.valueOf(PROTOCOL_VERSION).equals(protocol)) {
            throw new TorchCheckpointException(source + ": legacy protocol version " + protocol + " is not "
                    + PROTOCOL_VERSION);
        }
        Object sysInfo = Unpickler.load(in, source, hooks);
        ByteOrder order = sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))
                ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;

        Object root = Unpickler.load(in, source, hooks);
        Object keys = Unpickler.load(in, source, hooks);
        if (!(keys instanceof List<?> keyList)) {
            throw new TorchCheckpointException(source + ": storage keys are a " + Unpickler.describe(keys)
                    + ", not a list");
        }
        Map<String, ByteBuffer> storages = new HashMap<>();
        try {
            for (Object key : keyList) {
                StorageRef storage = hooks.storages().get(key);
                if (storage == null) {
                    throw new TorchCheckpointException(source + ": storage " + key
                            + " is listed but no tensor refers to it");
                }
                // the element count is always written little-endian, the elements in the saving machine's order
                long numel = in.getLong();
                long size = Math.multiplyExact(numel, (long) storage.dtype().elementSize());
                if (numel != storage.numel()) {
                    throw new TorchCheckpointException(source + ": storage " + key + " holds " + numel
                            + " elements, its pickle declares " + storage.numel());
                }
                if (size > in.remaining()) {
                    throw new TorchCheckpointException(source + ": truncated: storage " + key + " needs " + size
                            + " bytes, " + in.remaining() + " remain");
                }
                ByteBuffer data = in.slice().limit((int) size).order(order);
                in.position(in.position() + (int) size);
                storages.put(storage.key(), data);
            }
        } catch (BufferUnderflowException e) {
            throw new TorchCheckpointException(source + ": truncated: storage data ends early", e);
        }
        return TorchCheckpoint.assemble(file, root, storage -> {
            ByteBuffer data = storages.get(storage.key());
            if (data == null) {
                throw new TorchCheckpointException(source + ": storage " + storage.key() + " is missing");
            }
            return data;
        });
    }
}
