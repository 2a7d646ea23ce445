package io.depthstream.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The zip checkpoint format of torch 1.6 and later: {@code <folder>/data.pkl} holds the pickled state dict and
 * {@code <folder>/data/<key>} each storage's raw bytes; the folder's name varies with the saved file's name.
 */
final class ZipCheckpointFormat {

    private ZipCheckpointFormat() {
    }

    static TorchCheckpoint read(Path file) {
        String source = file.toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String folder = pickleFolder(zip, source);
            ByteOrder order = byteOrder(zip, folder, source);
            byte[] pickle = bytes(zip, zip.getEntry(folder + "data.pkl"), source);
            Object root = Unpickler.load(ByteBuffer.wrap(pickle), source, new StateDictHooks(source));
            Map<String, ByteBuffer> storages = new HashMap<>();
            return TorchCheckpoint.assemble(file, root, storage -> storages.computeIfAbsent(storage.key(),
                    key -> storage(zip, folder, storage, order, source)));
        } catch (ZipException e) {
            throw new TorchCheckpointException(source + ": not a PyTorch checkpoint: broken zip (" + e.getMessage()
                    + ")", e);
        } catch (IOException e) {
            throw new TorchCheckpointException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String pickleFolder(ZipFile zip, String source) {
        String folder = null;
        for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
            String name = entries.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                if (folder != null) {
                    throw new TorchCheckpointException(source + ": holds more than one */data.pkl");
                }
                folder = name.substring(0, slash + 1);
            }
        }
        if (folder == null) {
            throw new TorchCheckpointException(source + ": not a PyTorch checkpoint: the zip has no */data.pkl");
        }
        return folder;
    }

    // torch 2.1 started recording the saving machine's byte order; files without the record are little-endian
    private static ByteOrder byteOrder(ZipFile zip, String folder, String source) throws IOException {
        ZipEntry entry = zip.getEntry(folder + "byteorder");
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String order = new String(bytes(zip, entry, source), StandardCharsets.US_ASCII).trim();
        return switch (order) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new TorchCheckpointException(source + ": unknown byteorder " + order);
        };
    }

    private static ByteBuffer storage(ZipFile zip, String folder, StorageRef storage, ByteOrder order,
                                      String source) {
        String name = folder + "data/" + storage.key();
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new TorchCheckpointException(source + ": storage " + name + " is missing");
        }
        try {
            byte[] bytes = bytes(zip, entry, source);
            long declared = Math.multiplyExact(storage.numel(), (long) storage.dtype().elementSize());
            if (bytes.length < declared) {
                throw new TorchCheckpointException(source + ": storage " + name + " holds " + bytes.length
                        + " bytes, its pickle declares " + storage.numel() + " " + storage.dtype() + " elements");
            }
            return ByteBuffer.wrap(bytes).order(order);
        } catch (IOException e) {
            throw new TorchCheckpointException(source + ": cannot read storage " + name + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(ZipFile zip, ZipEntry entry, String source) throws IOException {
        if (entry.getSize() > Integer.MAX_VALUE - 8) {
            throw new TorchCheckpointException(source + ": entry " + entry.getName() + " is larger than 2 GiB");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }
}
