package io.depthstream.model.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} archive ({@code numpy.savez}'s layout): a zip of {@code <key>.npy} members, stored
 * uncompressed, which {@code numpy.load(file)[key]} reads.
 */
public final class Npz {

    private Npz() {}

    /**
     * Reads every float32 or float64 member (stored or deflated, as {@code numpy.savez} and
     * {@code numpy.savez_compressed} write them), keyed by member name without {@code .npy}, in archive order.
     */
    public static Map<String, Npy> read(Path file) {
        Map<String, Npy> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (entry.isDirectory() || !name.endsWith(".npy")) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    arrays.put(name.substring(0, name.length() - 4), Npy.parse(in.readAllBytes(), file + ":" + name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return arrays;
    }

    /** Writes {@code arrays} as float32 members named {@code <key>.npy}, in the map's order. */
    public static void writeFloat32(Path file, Map<String, Npy> arrays) {
        try (OutputStream raw = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
            for (Map.Entry<String, Npy> entry : arrays.entrySet()) {
                byte[] bytes = entry.getValue().toBytes(true);
                // STORED members need their size and checksum up front; numpy.savez stores them uncompressed too
                ZipEntry member = new ZipEntry(entry.getKey() + ".npy");
                member.setMethod(ZipEntry.STORED);
                member.setSize(bytes.length);
                member.setCompressedSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                member.setCrc(crc.getValue());
                zip.putNextEntry(member);
                zip.write(bytes);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
