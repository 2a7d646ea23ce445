package io.depthstream.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (version 1.0, C order) for float32 and float64 arrays: how depthstream exchanges
 * tensors with Python tools and how golden test fixtures are stored.
 *
 * @param shape the array's shape
 * @param data the values in C (row-major) order, widened to double
 */
public record Npy(long[] shape, double[] data) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public Npy {
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape holds " + count + " values, data has " + data.length);
        }
    }

    /** A float32 array. */
    public static Npy of(float[] values, long... shape) {
        double[] data = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = values[i];
        }
        return new Npy(shape, data);
    }

    /** The values narrowed to float32. */
    public float[] toFloatArray() {
        float[] values = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            values[i] = (float) data[i];
        }
        return values;
    }

    /** Reads a little-endian float32 ({@code <f4}) or float64 ({@code <f8}) array in C order. */
    public static Npy read(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Parses the bytes of a {@code .npy} file; {@code name} appears in error messages. */
    public static Npy parse(byte[] bytes, String name) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (byte b : MAGIC) {
            if (!buffer.hasRemaining() || buffer.get() != b) {
                throw new IllegalArgumentException(name + " is not a .npy file");
            }
        }
        int major = buffer.get();
        buffer.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(buffer.getShort()) : buffer.getInt();
        byte[] headerBytes = new byte[headerLength];
        buffer.get(headerBytes);
        String header = new String(headerBytes, StandardCharsets.ISO_8859_1);

        String descr = find(DESCR, header, name, "descr");
        if ("True".equals(find(FORTRAN, header, name, "fortran_order"))) {
            throw new IllegalArgumentException(name + ": Fortran-order arrays are not supported");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : find(SHAPE, header, name, "shape").split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.trim()));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        double[] data = new double[Math.toIntExact(count)];
        switch (descr) {
            case "<f4" -> {
                for (int i = 0; i < data.length; i++) {
                    data[i] = buffer.getFloat();
                }
            }
            case "<f8" -> {
                for (int i = 0; i < data.length; i++) {
                    data[i] = buffer.getDouble();
                }
            }
            default -> throw new IllegalArgumentException(name + ": dtype " + descr + " is not supported (<f4, <f8)");
        }
        return new Npy(shape, data);
    }

    /** Writes the array as little-endian float32. */
    public void writeFloat32(Path file) {
        try {
            Files.write(file, toBytes(true));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The bytes of a {@code .npy} file holding this array as float32 ({@code true}) or float64. */
    public byte[] toBytes(boolean float32) {
        StringBuilder dims = new StringBuilder();
        for (long dim : shape) {
            dims.append(dim).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2);
        } else if (shape.length == 1) {
            dims.setLength(dims.length() - 1);
        }
        StringBuilder header = new StringBuilder("{'descr': '" + (float32 ? "<f4" : "<f8")
                + "', 'fortran_order': False, 'shape': (" + dims + "), }");
        // header, padded with spaces and ended by a newline, so that the data starts at a multiple of 64 bytes
        int unpadded = MAGIC.length + 2 + 2 + header.length() + 1;
        header.append(" ".repeat((64 - unpadded % 64) % 64)).append('\n');
        int elementSize = float32 ? 4 : 8;
        ByteBuffer buffer = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.length * elementSize)
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buffer.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (double value : data) {
            if (float32) {
                buffer.putFloat((float) value);
            } else {
                buffer.putDouble(value);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(buffer.array());
        return out.toByteArray();
    }

    private static String find(Pattern pattern, String header, String name, String key) {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new IllegalArgumentException(name + ": .npy header has no " + key + ": " + header.trim());
        }
        return matcher.group(1);
    }
}
