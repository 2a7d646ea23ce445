package io.depthstream.operators.codec;

import io.depthstream.model.data.PngDecoder;
import io.depthstream.model.data.PngHeader;
import io.depthstream.model.data.RgbImage;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Decodes PNG or JPEG bytes from untrusted records: the size in the image header is checked before any pixel is
 * allocated, so a forged or merely huge header (a constant-colour 10000×10000 PNG is 300 KB on the wire and 300 MB
 * decoded) cannot exhaust the task's memory.
 *
 * <p>Frames must be {@value #MIN_SIDE}…{@value #MAX_SIDE} pixels on each side and at most {@link #MAX_PIXELS} pixels
 * in all; other images (the semantic map) must have exactly the size the caller expects. A JPEG whose decoder warns
 * (premature end of data, corrupt entropy-coded data) is rejected: ImageIO would otherwise return it with the
 * missing part filled grey.
 */
public final class EncodedImageReader {

    /**
     * Largest number of pixels accepted (4096×4096, 50 MB as RGB8): above 4K UHD (3840×2160), the largest camera
     * frames the job is meant for.
     */
    public static final long MAX_PIXELS = 4096L * 4096L;
    /** Longest side accepted, so a strip within {@link #MAX_PIXELS} cannot have an absurd aspect ratio. */
    public static final int MAX_SIDE = 8192;
    /**
     * Shortest side accepted: a smaller image is a thumbnail or an error, not a camera frame; upscaled four times or
     * more to the network input (at least 64 pixels a side) it would mostly be made up by interpolation.
     */
    public static final int MIN_SIDE = 16;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private EncodedImageReader() {
    }

    /**
     * A decoded image together with its container format.
     *
     * @param image the pixels
     * @param format lower-case format name as ImageIO reports it ({@code png}, {@code jpeg})
     */
    public record Decoded(BufferedImage image, String format) {
    }

    /** The size rule an image must pass, checked on its header before pixels are decoded. */
    @FunctionalInterface
    private interface SizeRule {
        void check(String what, long width, long height) throws InvalidFrameException;
    }

    /**
     * The frame image in {@code bytes}, held to the frame size limits.
     *
     * @param what what the bytes are, for messages ("image")
     * @throws InvalidFrameException when the bytes are empty, not a PNG or JPEG, outside the size limits, or corrupt
     */
    public static Decoded read(byte[] bytes, String what) throws InvalidFrameException {
        return read(bytes, what, EncodedImageReader::checkFrameSize);
    }

    /**
     * The image in {@code bytes}, which must be exactly {@code width×height} (checked on its header).
     *
     * @param what what the bytes are, for messages ("ds.semantic")
     * @throws InvalidFrameException when the bytes are empty, not a PNG or JPEG, of another size, or corrupt
     */
    public static Decoded readOfSize(byte[] bytes, String what, int width, int height) throws InvalidFrameException {
        return read(bytes, what, (name, w, h) -> {
            if (w != width || h != height) {
                throw new InvalidFrameException(name + " is " + w + "x" + h + " but the frame is " + width + "x"
                        + height);
            }
        });
    }

    private static Decoded read(byte[] bytes, String what, SizeRule rule) throws InvalidFrameException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidFrameException(what + " is empty (" + (bytes == null ? "no value" : "0 bytes") + ")");
        }
        checkPngHeaderSize(bytes, what, rule);
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            ImageReader reader = null;
            while (readers.hasNext()) {
                ImageReader candidate = readers.next();
                String format = candidate.getFormatName().toLowerCase(Locale.ROOT);
                if (format.equals("png") || format.equals("jpeg") || format.equals("jpg")) {
                    reader = candidate;
                    break;
                }
            }
            if (reader == null) {
                throw new InvalidFrameException(what + " is not a PNG or JPEG image (" + bytes.length + " bytes)");
            }
            try {
                reader.setInput(input, true, true);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                format = format.equals("jpg") ? "jpeg" : format;
                // getWidth/getHeight read only the header (IHDR, SOF): nothing is allocated for pixels yet
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new InvalidFrameException(what + " has zero size: " + width + "x" + height);
                }
                rule.check(what, width, height);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (format.equals("jpeg") && !warnings.isEmpty()) {
                    throw new InvalidFrameException(what + " is a truncated or corrupt JPEG (" + bytes.length
                            + " bytes): " + warnings.get(0));
                }
                return new Decoded(image, format);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidFrameException(what + " is not a decodable PNG or JPEG image (" + bytes.length
                    + " bytes): " + messages(e));
        }
    }

    /**
     * The pixels of an 8-bit RGB or RGBA PNG that is not interlaced (alpha dropped), decoded by {@link PngDecoder}
     * with the same checks as {@link #read}; null when the bytes are anything else, which {@link #read} decodes.
     *
     * @param what what the bytes are, for messages ("image")
     * @throws InvalidFrameException when the bytes are empty, outside the frame size limits, or a corrupt PNG
     */
    public static RgbImage readRgbPng(byte[] bytes, String what) throws InvalidFrameException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidFrameException(what + " is empty (" + (bytes == null ? "no value" : "0 bytes") + ")");
        }
        checkPngHeaderSize(bytes, what, EncodedImageReader::checkFrameSize);
        try {
            PngHeader header = PngDecoder.header(bytes);
            if (header == null || header.bitDepth() != 8 || header.interlaced()
                    || (header.colourType() != PngHeader.RGB && header.colourType() != PngHeader.RGBA)) {
                return null;
            }
            return PngDecoder.decodeRgb(bytes);
        } catch (IllegalArgumentException e) {
            throw new InvalidFrameException(what + " is not a decodable PNG or JPEG image (" + bytes.length
                    + " bytes): " + e.getMessage());
        }
    }

    /** The frame size limits: {@link #MIN_SIDE}..{@link #MAX_SIDE} per side, {@link #MAX_PIXELS} in all. */
    private static void checkFrameSize(String what, long width, long height) throws InvalidFrameException {
        if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
            throw new InvalidFrameException(what + " is too large: " + width + "x" + height + " exceeds "
                    + MAX_SIDE + " pixels per side or " + MAX_PIXELS + " pixels");
        }
        if (width < MIN_SIDE || height < MIN_SIDE) {
            throw new InvalidFrameException(what + " is too small: " + width + "x" + height + " is under "
                    + MIN_SIDE + " pixels on a side");
        }
    }

    /**
     * Checks the size in a PNG's IHDR against {@code rule} before any decoder sees it: ImageIO reports a zero-size
     * PNG only as an unreadable header, and its IHDR says precisely what is wrong.
     */
    private static void checkPngHeaderSize(byte[] bytes, String what, SizeRule rule) throws InvalidFrameException {
        if (bytes.length < 24 || !startsWith(bytes, PNG_SIGNATURE)
                || bytes[12] != 'I' || bytes[13] != 'H' || bytes[14] != 'D' || bytes[15] != 'R') {
            return;
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 16, 8);
        long width = Integer.toUnsignedLong(header.getInt());
        long height = Integer.toUnsignedLong(header.getInt());
        if (width == 0 || height == 0) {
            throw new InvalidFrameException(what + " has zero size: " + width + "x" + height);
        }
        rule.check(what, width, height);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String messages(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage());
        }
        return text.toString();
    }
}
