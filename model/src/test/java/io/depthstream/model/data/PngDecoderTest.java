package io.depthstream.model.data;

import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@link PngDecoder} against ImageIO, the decoder it replaces, and against hand-built PNGs of every filter type. */
class PngDecoderTest {

    private static RgbImage imageIo(byte[] png) throws IOException {
        return RgbImage.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(png)));
    }

    private static byte[] write(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "png", out)).isTrue();
        return out.toByteArray();
    }

    /** Noise over gradients: every filter type predicts some pixels well and some badly. */
    private static BufferedImage texture(int width, int height, int type, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / Math.max(1, width - 1) + random.nextInt(40)) & 0xFF;
                int g = (y * 255 / Math.max(1, height - 1) + random.nextInt(3)) & 0xFF;
                int b = random.nextInt(256);
                int a = (x + y) % 3 == 0 ? 0 : 100 + random.nextInt(156);
                image.setRGB(x, y, a << 24 | r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    private static byte[] randomBytes(int count, long seed) {
        byte[] bytes = new byte[count];
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            // smooth runs with jumps, so that the filters' differences matter
            bytes[i] = (byte) (i % 7 == 0 ? random.nextInt(256) : (i / 3) % 251 + random.nextInt(4));
        }
        return bytes;
    }

    @Test
    void realKittiFramesDecodeExactlyAsWithImageIo() throws IOException {
        Path root = KittiFixtures.kittiRoot();
        List<Path> frames;
        try (Stream<Path> files = Files.walk(root)) {
            frames = files.filter(p -> p.toString().endsWith(".png") && p.toString().contains("image_0")).sorted().toList();
        }
        assumeFalse(frames.isEmpty(), "no KITTI frame PNGs under " + root + ": real-KITTI test skipped");
        for (Path frame : frames) {
            byte[] png = Files.readAllBytes(frame);
            RgbImage direct = PngDecoder.decodeRgb(png);
            assertThat(direct).as(frame.toString()).isNotNull();
            RgbImage reference = imageIo(png);
            assertThat(direct.width()).isEqualTo(1242);
            assertThat(direct.height()).isEqualTo(375);
            assertThat(direct.rgb()).as(frame.toString()).isEqualTo(reference.rgb());
            assertThat(RgbImage.decode(png).rgb()).isEqualTo(reference.rgb());
        }
    }

    @Test
    void imagesWrittenByImageIoDecodeExactlyAsWithImageIo() throws IOException {
        int[] types = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_GRAY};
        int[][] sizes = {{1, 1}, {2, 3}, {37, 19}, {200, 60}};
        for (int type : types) {
            for (int[] size : sizes) {
                byte[] png = write(texture(size[0], size[1], type, type * 31L + size[0]));
                RgbImage direct = PngDecoder.decodeRgb(png);
                assertThat(direct).as("type %d, %dx%d", type, size[0], size[1]).isNotNull();
                assertThat(direct.rgb()).as("type %d, %dx%d", type, size[0], size[1]).isEqualTo(imageIo(png).rgb());
            }
        }
    }

    @Test
    void greyIsConvertedAsJava2dConvertsImageIoGrey() throws IOException {
        BufferedImage grey = new BufferedImage(256, 2, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 256; x++) {
            grey.getRaster().setSample(x, 0, 0, x);
            grey.getRaster().setSample(x, 1, 0, 255 - x);
        }
        byte[] png = write(grey);

        RgbImage direct = PngDecoder.decodeRgb(png);

        assertThat(direct.rgb()).isEqualTo(imageIo(png).rgb());
        assertThat(direct.get(0, 0, 0)).isEqualTo(0);
        assertThat(direct.get(255, 0, 1)).isEqualTo(255);
        assertThat(direct.get(128, 0, 2)).isEqualTo(direct.get(128, 0, 0));
    }

    @Test
    void everyFilterTypeDecodesToTheOriginalPixels() throws IOException {
        int[][] layouts = {{PngHeader.RGB, 8, 3}, {PngHeader.RGBA, 8, 4}, {PngHeader.GREY, 8, 1}, {PngHeader.GREY, 16, 2}};
        for (int[] layout : layouts) {
            int width = 23;
            int height = 9;
            byte[] raw = randomBytes(width * height * layout[2], layout[0] * 100L + layout[1]);
            for (int filter = 0; filter <= 4; filter++) {
                byte[] png = HandBuiltPng.of(width, height, layout[1], layout[0], layout[2], raw, filter, 1);
                String what = "colour type " + layout[0] + ", " + layout[1] + " bits, filter " + filter;
                if (layout[1] == 16) {
                    int[] samples = PngDecoder.decodeGrey16(png);
                    int[] reference = ImageIO.read(new ByteArrayInputStream(png)).getRaster()
                            .getSamples(0, 0, width, height, 0, (int[]) null);
                    assertThat(samples).as(what).isEqualTo(reference);
                    for (int i = 0; i < samples.length; i++) {
                        assertThat(samples[i]).isEqualTo((raw[2 * i] & 0xFF) << 8 | raw[2 * i + 1] & 0xFF);
                    }
                    continue;
                }
                RgbImage direct = PngDecoder.decodeRgb(png);
                assertThat(direct.rgb()).as(what).isEqualTo(imageIo(png).rgb());
                if (layout[0] != PngHeader.GREY) {
                    for (int i = 0; i < width * height; i++) {
                        for (int c = 0; c < 3; c++) {
                            assertThat(direct.rgb()[3 * i + c]).as(what).isEqualTo(raw[layout[2] * i + c]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void mixedFiltersAndImageDataSplitOverManyChunksDecode() throws IOException {
        int width = 31;
        int height = 12;
        byte[] raw = randomBytes(width * height * 3, 5);
        byte[] png = HandBuiltPng.of(width, height, 8, PngHeader.RGB, 3, raw, -1, 7);

        RgbImage direct = PngDecoder.decodeRgb(png);

        assertThat(direct.rgb()).isEqualTo(raw);
        assertThat(direct.rgb()).isEqualTo(imageIo(png).rgb());
    }

    @Test
    void layoutsItDoesNotHandleAreLeftToImageIo() throws IOException {
        byte[] grey = new byte[256];
        for (int i = 0; i < 256; i++) {
            grey[i] = (byte) (255 - i);
        }
        BufferedImage palette = new BufferedImage(8, 4, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, grey, grey, grey));
        palette.getRaster().setSample(3, 2, 0, 10);
        byte[] palettePng = write(palette);
        BufferedImage rgb48 = new BufferedImage(new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB), false, false,
                java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_USHORT),
                java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_USHORT, 5, 3, 3, null),
                false, null);
        rgb48.getRaster().setSample(1, 1, 0, 40000);
        byte[] rgb48Png = write(rgb48);
        byte[] interlaced = interlacedPng(texture(9, 7, BufferedImage.TYPE_3BYTE_BGR, 3));

        for (byte[] png : new byte[][] {palettePng, rgb48Png, interlaced}) {
            assertThat(PngDecoder.decodeRgb(png)).isNull();
            assertThat(RgbImage.decode(png).rgb()).isEqualTo(imageIo(png).rgb());
        }
        assertThat(PngDecoder.header(interlaced).interlaced()).isTrue();
        assertThat(RgbImage.decode(palettePng).get(3, 2, 0)).isEqualTo(245);
        assertThat(PngDecoder.decodeGrey16(palettePng)).isNull();
        assertThat(PngDecoder.header("not a png at all, but long enough".getBytes(StandardCharsets.US_ASCII))).isNull();
    }

    private static byte[] interlacedPng(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // Adam7 for ImageIO's PNG writer
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    @Test
    void sixteenBitGreyDecodesAsImageIoReadsIt() throws IOException {
        BufferedImage image = new BufferedImage(300, 7, BufferedImage.TYPE_USHORT_GRAY);
        short[] data = ((DataBufferUShort) image.getRaster().getDataBuffer()).getData();
        Random random = new Random(11);
        for (int i = 0; i < data.length; i++) {
            data[i] = (short) (i % 50 == 0 ? 0 : i % 50 == 1 ? 65535 : 2000 + i * 13 + random.nextInt(300));
        }
        byte[] png = write(image);

        int[] samples = PngDecoder.decodeGrey16(png);

        assertThat(samples).isEqualTo(image.getRaster().getSamples(0, 0, 300, 7, 0, (int[]) null));
        assertThat(samples[1]).isEqualTo(65535);
        assertThat(PngDecoder.decodeRgb(png)).isNull();
    }

    @Test
    void everyTruncationIsRejected() throws IOException {
        byte[] png = write(texture(40, 30, BufferedImage.TYPE_3BYTE_BGR, 9));
        for (int length = 0; length < png.length; length++) {
            byte[] truncated = java.util.Arrays.copyOf(png, length);
            if (length < 33) {
                // Without a whole IHDR it is not recognised as a PNG and goes to ImageIO, which rejects it too.
                assertThat(PngDecoder.header(truncated)).isNull();
                assertThatThrownBy(() -> RgbImage.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
                continue;
            }
            assertThatThrownBy(() -> PngDecoder.decodeRgb(truncated)).as("%d of %d bytes", length, png.length)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void imageDataThatEndsEarlyIsRejectedEvenWithValidChunks() {
        byte[] raw = randomBytes(20 * 10 * 3, 3);
        byte[] zlib = HandBuiltPng.deflate(HandBuiltPng.filtered(20, 10, 3, raw, 1), 6);
        byte[] half = java.util.Arrays.copyOf(zlib, zlib.length / 2);
        byte[] png = HandBuiltPng.assemble(20, 10, 8, PngHeader.RGB, List.of(half));

        assertThatThrownBy(() -> PngDecoder.decodeRgb(png)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void aHugeDeclaredSizeWithLittleDataIsRejectedBeforeAllocating() {
        byte[] raw = randomBytes(20 * 10 * 3, 3);
        byte[] zlib = HandBuiltPng.deflate(HandBuiltPng.filtered(20, 10, 3, raw, 1), 6);
        byte[] png = HandBuiltPng.assemble(30_000, 20_000, 8, PngHeader.RGB, List.of(zlib));

        assertThatThrownBy(() -> PngDecoder.decodeRgb(png)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated: " + zlib.length + " compressed bytes cannot hold 1800020000 bytes");
    }

    @Test
    void aStreamShorterThanTheImageIsRejected() {
        byte[] raw = randomBytes(20 * 10 * 3, 3);
        byte[] rows = HandBuiltPng.filtered(20, 10, 3, raw, 0);
        byte[] fewerRows = HandBuiltPng.deflate(java.util.Arrays.copyOf(rows, rows.length - 61), 6);
        byte[] png = HandBuiltPng.assemble(20, 10, 8, PngHeader.RGB, List.of(fewerRows));

        assertThatThrownBy(() -> PngDecoder.decodeRgb(png)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ends early");
    }

    @Test
    void imageDataLongerThanTheImageIsAcceptedAsByImageIo() throws IOException {
        byte[] raw = randomBytes(20 * 10 * 3, 3);
        byte[] rows = HandBuiltPng.filtered(20, 10, 3, raw, 1);
        byte[] longer = java.util.Arrays.copyOf(rows, rows.length + 2_000_000); // a megabyte-scale zero tail
        byte[] png = HandBuiltPng.assemble(20, 10, 8, PngHeader.RGB, List.of(HandBuiltPng.deflate(longer, 9)));

        assertThat(PngDecoder.decodeRgb(png).rgb()).isEqualTo(raw).isEqualTo(imageIo(png).rgb());
    }

    @Test
    void corruptDataIsRejected() throws IOException {
        byte[] png = write(texture(40, 30, BufferedImage.TYPE_3BYTE_BGR, 9));
        int idat = indexOf(png, "IDAT");

        byte[] flipped = png.clone();
        flipped[idat + 20] ^= 0x10;
        assertThatThrownBy(() -> PngDecoder.decodeRgb(flipped)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CRC mismatch in chunk IDAT");
        assertThatThrownBy(() -> RgbImage.decode(flipped)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a decodable PNG or JPEG image");

        byte[] raw = randomBytes(20 * 10 * 3, 3);
        byte[] badFilter = HandBuiltPng.filtered(20, 10, 3, raw, 0);
        badFilter[(20 * 3 + 1) * 4] = 5;
        byte[] withBadFilter = HandBuiltPng.assemble(20, 10, 8, PngHeader.RGB,
                List.of(HandBuiltPng.deflate(badFilter, 6)));
        assertThatThrownBy(() -> PngDecoder.decodeRgb(withBadFilter)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown filter type 5");

        byte[] zlib = HandBuiltPng.deflate(HandBuiltPng.filtered(20, 10, 3, raw, 1), 6);
        zlib[zlib.length - 1] ^= 1; // the Adler-32 checksum
        byte[] badChecksum = HandBuiltPng.assemble(20, 10, 8, PngHeader.RGB, List.of(zlib));
        assertThatThrownBy(() -> PngDecoder.decodeRgb(badChecksum)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt");

        byte[] notZlib = HandBuiltPng.assemble(20, 10, 8, PngHeader.RGB, List.of(new byte[] {1, 2, 3, 4, 5, 6}));
        assertThatThrownBy(() -> PngDecoder.decodeRgb(notZlib)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt");

        byte[] badHeader = png.clone();
        badHeader[25] = 7;
        assertThatThrownBy(() -> PngDecoder.decodeRgb(badHeader)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown colour type 7");
    }

    private static int indexOf(byte[] bytes, String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(text + " not found");
    }

    /** PNGs built by hand from raw scanlines, with a chosen filter, independent of the code under test. */
    static final class HandBuiltPng {

        private HandBuiltPng() {
        }

        /**
         * A PNG with every row filtered by {@code filter} (-1: row y by filter y mod 5) and the zlib stream split
         * over {@code chunks} IDAT chunks (one of them empty when there are several).
         */
        static byte[] of(int width, int height, int bitDepth, int colourType, int bpp, byte[] raw, int filter,
                int chunks) {
            byte[] zlib = deflate(filtered(width, height, bpp, raw, filter), 6);
            List<byte[]> parts = new java.util.ArrayList<>();
            int step = Math.max(1, zlib.length / chunks);
            for (int at = 0; at < zlib.length; at += step) {
                parts.add(java.util.Arrays.copyOfRange(zlib, at, Math.min(zlib.length, at + step)));
                if (chunks > 1 && parts.size() == 1) {
                    parts.add(new byte[0]);
                }
            }
            return assemble(width, height, bitDepth, colourType, parts);
        }

        static byte[] filtered(int width, int height, int bpp, byte[] raw, int filter) {
            int stride = width * bpp;
            byte[] out = new byte[height * (stride + 1)];
            for (int y = 0; y < height; y++) {
                int type = filter < 0 ? y % 5 : filter;
                out[y * (stride + 1)] = (byte) type;
                for (int i = 0; i < stride; i++) {
                    int x = raw[y * stride + i] & 0xFF;
                    int a = i >= bpp ? raw[y * stride + i - bpp] & 0xFF : 0;
                    int b = y > 0 ? raw[(y - 1) * stride + i] & 0xFF : 0;
                    int c = y > 0 && i >= bpp ? raw[(y - 1) * stride + i - bpp] & 0xFF : 0;
                    int predicted = switch (type) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) / 2;
                        default -> {
                            int p = a + b - c;
                            int pa = Math.abs(p - a);
                            int pb = Math.abs(p - b);
                            int pc = Math.abs(p - c);
                            yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                        }
                    };
                    out[y * (stride + 1) + 1 + i] = (byte) (x - predicted);
                }
            }
            return out;
        }

        static byte[] deflate(byte[] data, int level) {
            Deflater deflater = new Deflater(level);
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            deflater.end();
            return out.toByteArray();
        }

        static byte[] assemble(int width, int height, int bitDepth, int colourType, List<byte[]> idat) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                    .put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0).array());
            chunk(out, "tEXt", "Comment\0hand-built".getBytes(StandardCharsets.ISO_8859_1));
            for (byte[] part : idat) {
                chunk(out, "IDAT", part);
            }
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        }

        private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
            byte[] name = type.getBytes(StandardCharsets.US_ASCII);
            CRC32 crc = new CRC32();
            crc.update(name);
            crc.update(data);
            out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
            out.writeBytes(name);
            out.writeBytes(data);
            out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        }
    }
}
