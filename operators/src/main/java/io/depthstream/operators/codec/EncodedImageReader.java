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
import java.util.Iterator;
import java.util.Locale;

/**
 * Decodes PNG or JPEG bytes from untrusted records: the size in the image header is checked before any pixel is
 * allocated, so a forged header cannot exhaust the task's memory.
 */
public final class EncodedImageReader {

    /** Largest number of pixels accepted (4096×4096). */
    public static final long MAX_PIXELS = 4096L * 4096L;

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

    /**
     * The image in {@code bytes}.
     *
     * @param what what the bytes are, for messages ("image", "ds.semantic")
     * @throws InvalidFrameException when the bytes are empty, not a PNG or JPEG, of zero or excessive size, or corrupt
     */
    public static Decoded read(byte[] bytes, String what) throws InvalidFrameException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidFrameException(what + " is empty (0 bytes)");
        }
        checkPngHeaderSize(bytes, what);
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
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new InvalidFrameException(what + " has zero size: " + width + "x" + height);
                }
                if ((long) width * height > MAX_PIXELS) {
                    throw new InvalidFrameException(what + " is too large: " + width + "x" + height
                            + " exceeds " + MAX_PIXELS + " pixels");
                }
                BufferedImage image = reader.read(0);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                return new Decoded(image, format.equals("jpg") ? "jpeg" : format);
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
     * @throws InvalidFrameException when the bytes are empty, of zero or excessive size, or a corrupt PNG
     */
    public static RgbImage readRgbPng(byte[] bytes, String what) throws InvalidFrameException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidFrameException(what + " is empty (0 bytes)");
        }
        checkPngHeaderSize(bytes, what);
        try {
            PngHeader header = PngDecoder.header(bytes);
            if (header == null || header.bitDepth() != 8 || header.interlaced()
                    || (header.colourType() != PngHeader.RGB && header.colourType() != PngHeader.RGBA)) {
                return null;
            }
            if (header.width() * header.height() > MAX_PIXELS) {
                throw new InvalidFrameException(what + " is too large: " + header.width() + "x" + header.height()
                        + " exceeds " + MAX_PIXELS + " pixels");
            }
            return PngDecoder.decodeRgb(bytes);
        } catch (IllegalArgumentException e) {
            throw new InvalidFrameException(what + " is not a decodable PNG or JPEG image (" + bytes.length
                    + " bytes): " + e.getMessage());
        }
    }

    /** ImageIO reports a zero-size PNG only as an unreadable header; its IHDR says precisely what is wrong. */
    private static void checkPngHeaderSize(byte[] bytes, String what) throws InvalidFrameException {
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
