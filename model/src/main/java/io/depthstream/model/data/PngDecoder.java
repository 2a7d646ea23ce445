package io.depthstream.model.data;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the PNG layouts that frames and depth maps come in (8-bit RGB, RGBA and grey, 16-bit grey; not interlaced)
 * straight into arrays with the platform's zlib. ImageIO needs about twice as long for a KITTI frame; every other
 * layout is left to it.
 *
 * <p>Chunk CRCs and the zlib checksum (of a stream that ends with the image, as encoders write it) are verified, so
 * corrupt or truncated data fails with an {@link IllegalArgumentException} instead of decoding to wrong pixels.
 */
public final class PngDecoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int IHDR = chunkType("IHDR");
    private static final int PLTE = chunkType("PLTE");
    private static final int IDAT = chunkType("IDAT");
    private static final int IEND = chunkType("IEND");
    /** Transparency and ICC profiles make ImageIO choose other image types (and so other RGB values): left to it. */
    private static final int TRNS = chunkType("tRNS");
    private static final int ICCP = chunkType("iCCP");
    /** Largest array the decoder allocates. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    /**
     * What {@link RgbImage#fromBufferedImage} makes of an 8-bit grey value: Java2D treats ImageIO's grey PNGs as
     * linear grey and converts them to sRGB, and decoding must give the same pixels whichever path it takes.
     */
    private static final byte[] GREY_TO_RGB = greyToRgb();

    private PngDecoder() {
    }

    /**
     * The IHDR fields of {@code bytes}; null when they do not start with a PNG signature and an IHDR chunk.
     *
     * @throws IllegalArgumentException when the IHDR chunk is malformed
     */
    public static PngHeader header(byte[] bytes) {
        if (bytes.length < 33 || !Arrays.equals(bytes, 0, 8, SIGNATURE, 0, 8) || readInt(bytes, 12) != IHDR) {
            return null;
        }
        if (readInt(bytes, 8) != 13) {
            throw new IllegalArgumentException("PNG IHDR chunk has " + Integer.toUnsignedLong(readInt(bytes, 8))
                    + " bytes instead of 13");
        }
        long width = Integer.toUnsignedLong(readInt(bytes, 16));
        long height = Integer.toUnsignedLong(readInt(bytes, 20));
        int bitDepth = bytes[24] & 0xFF;
        int colourType = bytes[25] & 0xFF;
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("PNG has an invalid size: " + width + "x" + height);
        }
        boolean validDepth = switch (colourType) {
            case PngHeader.GREY -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
            case PngHeader.PALETTE -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            case PngHeader.RGB, PngHeader.GREY_ALPHA, PngHeader.RGBA -> bitDepth == 8 || bitDepth == 16;
            default -> throw new IllegalArgumentException("PNG has an unknown colour type " + colourType);
        };
        if (!validDepth) {
            throw new IllegalArgumentException("PNG colour type " + colourType + " cannot have bit depth " + bitDepth);
        }
        if (bytes[26] != 0 || bytes[27] != 0 || (bytes[28] & 0xFF) > 1) {
            throw new IllegalArgumentException("PNG has an unknown compression, filter or interlace method: "
                    + bytes[26] + ", " + bytes[27] + ", " + bytes[28]);
        }
        return new PngHeader(width, height, bitDepth, colourType, bytes[28] == 1);
    }

    /**
     * The pixels of an 8-bit RGB, RGBA (alpha dropped) or grey PNG that is not interlaced, exactly as decoding it with
     * ImageIO and {@link RgbImage#fromBufferedImage} gives them; null for any other image, which is left to ImageIO.
     *
     * @throws IllegalArgumentException when the bytes are a corrupt or truncated PNG
     */
    public static RgbImage decodeRgb(byte[] png) {
        PngHeader header = header(png);
        if (header == null || header.interlaced() || header.bitDepth() != 8
                || (header.colourType() != PngHeader.RGB && header.colourType() != PngHeader.RGBA
                && header.colourType() != PngHeader.GREY)) {
            return null;
        }
        Chunks chunks = Chunks.of(png);
        if (chunks == null) {
            return null;
        }
        int width = (int) header.width();
        int height = (int) header.height();
        int channels = header.channels();
        checkSize(header, 3);
        checkSize(header, channels);
        ImageData.checkCanHold(chunks, header.height() * (header.width() * channels + 1));
        byte[] rgb = new byte[width * height * 3];
        int stride = width * channels;
        try (ImageData data = new ImageData(png, chunks)) {
            if (channels == 3) {
                // The raw RGB scanlines are the output layout: inflate and unfilter each row in place.
                byte[] zeros = new byte[stride];
                for (int y = 0; y < height; y++) {
                    int filter = data.filterType();
                    data.read(rgb, y * stride, stride);
                    if (y == 0) {
                        unfilter(filter, rgb, 0, zeros, 0, stride, 3);
                    } else {
                        unfilter(filter, rgb, y * stride, rgb, (y - 1) * stride, stride, 3);
                    }
                }
            } else {
                byte[] row = new byte[stride];
                byte[] prior = new byte[stride];
                for (int y = 0; y < height; y++) {
                    byte[] swap = prior;
                    prior = row;
                    row = swap;
                    int filter = data.filterType();
                    data.read(row, 0, stride);
                    if (y == 0) {
                        Arrays.fill(prior, (byte) 0);
                    }
                    unfilter(filter, row, 0, prior, 0, stride, channels);
                    int o = y * width * 3;
                    if (channels == 4) {
                        for (int i = 0; i < stride; i += 4, o += 3) {
                            rgb[o] = row[i];
                            rgb[o + 1] = row[i + 1];
                            rgb[o + 2] = row[i + 2];
                        }
                    } else {
                        for (int i = 0; i < stride; i++, o += 3) {
                            byte value = GREY_TO_RGB[row[i] & 0xFF];
                            rgb[o] = value;
                            rgb[o + 1] = value;
                            rgb[o + 2] = value;
                        }
                    }
                }
            }
            data.finish();
        }
        return new RgbImage(width, height, rgb);
    }

    /**
     * The samples of a 16-bit grey PNG that is not interlaced, row-major, each in 0..65535; null for any other image.
     *
     * @throws IllegalArgumentException when the bytes are a corrupt or truncated PNG
     */
    public static int[] decodeGrey16(byte[] png) {
        PngHeader header = header(png);
        if (header == null || header.interlaced() || header.bitDepth() != 16 || header.colourType() != PngHeader.GREY) {
            return null;
        }
        Chunks chunks = Chunks.of(png);
        if (chunks == null) {
            return null;
        }
        checkSize(header, 4);
        ImageData.checkCanHold(chunks, header.height() * (header.width() * 2 + 1));
        int width = (int) header.width();
        int height = (int) header.height();
        int stride = width * 2;
        int[] samples = new int[width * height];
        byte[] row = new byte[stride];
        byte[] prior = new byte[stride];
        try (ImageData data = new ImageData(png, chunks)) {
            for (int y = 0; y < height; y++) {
                byte[] swap = prior;
                prior = row;
                row = swap;
                int filter = data.filterType();
                data.read(row, 0, stride);
                if (y == 0) {
                    Arrays.fill(prior, (byte) 0);
                }
                unfilter(filter, row, 0, prior, 0, stride, 2);
                int o = y * width;
                for (int i = 0; i < stride; i += 2, o++) {
                    samples[o] = (row[i] & 0xFF) << 8 | (row[i + 1] & 0xFF);
                }
            }
            data.finish();
        }
        return samples;
    }

    private static void checkSize(PngHeader header, int bytesPerPixel) {
        long bytes = header.width() * header.height() * bytesPerPixel;
        if (header.width() * bytesPerPixel > MAX_BYTES || bytes > MAX_BYTES) {
            throw new IllegalArgumentException("PNG is too large to decode: " + header.width() + "x" + header.height());
        }
    }

    /**
     * Reverses a scanline's PNG filter in place: {@code row[rowAt..rowAt+length)} holds the filtered bytes,
     * {@code prior[priorAt..]} the previous row already unfiltered (zeros for the first row).
     */
    static void unfilter(int filter, byte[] row, int rowAt, byte[] prior, int priorAt, int length, int bpp) {
        switch (filter) {
            case 0 -> {
            }
            case 1 -> {
                if (bpp == 3) {
                    subRgb(row, rowAt, length);
                } else {
                    for (int i = rowAt + bpp, end = rowAt + length; i < end; i++) {
                        row[i] = (byte) (row[i] + row[i - bpp]);
                    }
                }
            }
            case 2 -> {
                for (int i = 0; i < length; i++) {
                    row[rowAt + i] = (byte) (row[rowAt + i] + prior[priorAt + i]);
                }
            }
            case 3 -> {
                for (int i = 0; i < bpp; i++) {
                    row[rowAt + i] = (byte) (row[rowAt + i] + ((prior[priorAt + i] & 0xFF) >>> 1));
                }
                for (int i = bpp; i < length; i++) {
                    int left = row[rowAt + i - bpp] & 0xFF;
                    int up = prior[priorAt + i] & 0xFF;
                    row[rowAt + i] = (byte) (row[rowAt + i] + ((left + up) >>> 1));
                }
            }
            case 4 -> {
                for (int i = 0; i < bpp; i++) {
                    row[rowAt + i] = (byte) (row[rowAt + i] + prior[priorAt + i]);
                }
                for (int i = bpp; i < length; i++) {
                    int a = row[rowAt + i - bpp] & 0xFF;
                    int b = prior[priorAt + i] & 0xFF;
                    int c = prior[priorAt + i - bpp] & 0xFF;
                    row[rowAt + i] = (byte) (row[rowAt + i] + paeth(a, b, c));
                }
            }
            default -> throw new IllegalArgumentException("PNG scanline has an unknown filter type " + filter);
        }
    }

    /**
     * The Paeth predictor: of left, up and up-left the one closest to left + up − up-left, ties in that order. Written
     * with min and selects rather than the specification's branches, which photographs make unpredictable.
     */
    private static int paeth(int a, int b, int c) {
        int pa = Math.abs(b - c);
        int pb = Math.abs(a - c);
        int pc = Math.abs(a + b - c - c);
        int nearer = pa <= pb ? a : b;
        return Math.min(pa, pb) <= pc ? nearer : c;
    }

    /** Sub for RGB8, the filter KITTI's frames use on every row: the left pixel is kept in registers, not reloaded. */
    private static void subRgb(byte[] row, int rowAt, int length) {
        int r = 0;
        int g = 0;
        int b = 0;
        for (int i = rowAt, end = rowAt + length; i < end; i += 3) {
            r += row[i];
            g += row[i + 1];
            b += row[i + 2];
            row[i] = (byte) r;
            row[i + 1] = (byte) g;
            row[i + 2] = (byte) b;
        }
    }

    /** Where a PNG's image data lies, its chunks' CRCs checked. */
    private record Chunks(int[] idatAt, int[] idatLength) {

        /** The image data chunks of {@code png}; null when a chunk asks for decoding this class leaves to ImageIO. */
        static Chunks of(byte[] png) {
            int[] at = new int[8];
            int[] length = new int[8];
            int count = 0;
            CRC32 crc = new CRC32();
            int position = 8;
            boolean end = false;
            boolean afterData = false;
            boolean leftToImageIo = false;
            while (!end) {
                if (png.length - position < 12) {
                    throw new IllegalArgumentException("PNG is truncated: it ends after " + png.length
                            + " bytes, before its IEND chunk");
                }
                long size = Integer.toUnsignedLong(readInt(png, position));
                int type = readInt(png, position + 4);
                if (size > png.length - position - 12L) {
                    throw new IllegalArgumentException("PNG is truncated: chunk " + typeName(type) + " at byte "
                            + position + " declares " + size + " bytes, only " + (png.length - position - 12L)
                            + " follow");
                }
                int data = position + 8;
                crc.reset();
                crc.update(png, position + 4, (int) size + 4);
                if ((int) crc.getValue() != readInt(png, data + (int) size)) {
                    throw new IllegalArgumentException("PNG is corrupt: CRC mismatch in chunk " + typeName(type)
                            + " at byte " + position);
                }
                if (type == IDAT) {
                    if (afterData) {
                        throw new IllegalArgumentException("PNG is corrupt: its IDAT chunks are not consecutive");
                    }
                    if (count == at.length) {
                        at = Arrays.copyOf(at, 2 * count);
                        length = Arrays.copyOf(length, 2 * count);
                    }
                    at[count] = data;
                    length[count] = (int) size;
                    count++;
                } else {
                    afterData = count > 0;
                    if (type == IEND) {
                        end = true;
                    } else if (type == PLTE || type == TRNS || type == ICCP) {
                        leftToImageIo = true;
                    }
                }
                position = data + (int) size + 4;
            }
            if (count == 0) {
                throw new IllegalArgumentException("PNG has no image data (IDAT chunk)");
            }
            return leftToImageIo ? null : new Chunks(Arrays.copyOf(at, count), Arrays.copyOf(length, count));
        }
    }

    /** The zlib stream spread over a PNG's IDAT chunks, inflated on demand. */
    private static final class ImageData implements AutoCloseable {

        private final byte[] png;
        private final Chunks chunks;
        private final Inflater inflater = new Inflater();
        private final byte[] single = new byte[1];
        private int nextChunk;

        /** Deflate expands at most 1032:1, so less data than this cannot hold the image (checked before allocating). */
        private static final long MAX_DEFLATE_RATIO = 1032;

        ImageData(byte[] png, Chunks chunks) {
            this.png = png;
            this.chunks = chunks;
        }

        /** Rejects image data too short to hold {@code rawBytes} bytes of scanlines, before they are allocated. */
        static void checkCanHold(Chunks chunks, long rawBytes) {
            long compressed = 0;
            for (int length : chunks.idatLength()) {
                compressed += length;
            }
            if (compressed * MAX_DEFLATE_RATIO + 64 < rawBytes) {
                throw new IllegalArgumentException("PNG image data is truncated: " + compressed
                        + " compressed bytes cannot hold " + rawBytes + " bytes of scanlines");
            }
        }

        /** The filter type byte that starts each scanline. */
        int filterType() {
            read(single, 0, 1);
            return single[0] & 0xFF;
        }

        /** Inflates exactly {@code length} bytes into {@code target}. */
        void read(byte[] target, int at, int length) {
            while (length > 0) {
                int produced = inflate(target, at, length);
                if (produced > 0) {
                    at += produced;
                    length -= produced;
                } else if (inflater.finished()) {
                    throw new IllegalArgumentException("PNG image data ends early: " + length
                            + " bytes of a scanline are missing");
                } else {
                    feed();
                }
            }
        }

        /**
         * Reads to the end of the zlib stream, which makes zlib verify its Adler-32 checksum. A stream that holds more
         * than the image is accepted, as ImageIO accepts it, without inflating the rest: it could be arbitrarily long.
         */
        void finish() {
            byte[] rest = new byte[1];
            while (!inflater.finished()) {
                int produced = inflate(rest, 0, 1);
                if (produced > 0) {
                    return;
                }
                if (!inflater.finished()) {
                    feed();
                }
            }
        }

        private int inflate(byte[] target, int at, int length) {
            try {
                return inflater.inflate(target, at, length);
            } catch (DataFormatException e) {
                throw new IllegalArgumentException("PNG image data is corrupt: " + e.getMessage(), e);
            }
        }

        private void feed() {
            if (inflater.needsDictionary()) {
                throw new IllegalArgumentException("PNG image data asks for a preset zlib dictionary");
            }
            if (!inflater.needsInput()) {
                throw new IllegalArgumentException("PNG image data does not inflate");
            }
            if (nextChunk == chunks.idatAt().length) {
                throw new IllegalArgumentException("PNG image data is truncated: the zlib stream ends early");
            }
            inflater.setInput(png, chunks.idatAt()[nextChunk], chunks.idatLength()[nextChunk]);
            nextChunk++;
        }

        @Override
        public void close() {
            inflater.end();
        }
    }

    private static byte[] greyToRgb() {
        BufferedImage grey = new BufferedImage(256, 1, BufferedImage.TYPE_BYTE_GRAY);
        byte[] table = new byte[256];
        for (int value = 0; value < 256; value++) {
            grey.getRaster().setSample(value, 0, 0, value);
        }
        for (int value = 0; value < 256; value++) {
            table[value] = (byte) grey.getRGB(value, 0);
        }
        return table;
    }

    private static int chunkType(String name) {
        return name.charAt(0) << 24 | name.charAt(1) << 16 | name.charAt(2) << 8 | name.charAt(3);
    }

    private static String typeName(int type) {
        StringBuilder name = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = type >>> shift & 0xFF;
            name.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return name.toString();
    }

    private static int readInt(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) << 24 | (bytes[at + 1] & 0xFF) << 16 | (bytes[at + 2] & 0xFF) << 8 | bytes[at + 3] & 0xFF;
    }
}
