package io.depthstream.model.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * An 8-bit RGB image, pixels interleaved row by row (HWC): the form frames travel in once decoded.
 *
 * @param width pixels per row
 * @param height rows
 * @param rgb {@code width·height·3} bytes, R, G, B per pixel
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException(
                    "expected " + (long) width * height * 3 + " RGB bytes for " + width + "x" + height + ", got " + rgb.length);
        }
    }

    /**
     * Decodes PNG or JPEG bytes (grey, palette and alpha images are converted to RGB): 8-bit PNGs with {@link PngDecoder},
     * anything else with ImageIO.
     *
     * @throws IllegalArgumentException when the bytes are not a decodable image
     */
    public static RgbImage decode(byte[] encoded) {
        RgbImage direct;
        try {
            direct = PngDecoder.decodeRgb(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a decodable PNG or JPEG image: " + e.getMessage(), e);
        }
        if (direct != null) {
            return direct;
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a decodable PNG or JPEG image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not a PNG or JPEG image (" + encoded.length + " bytes)");
        }
        return fromBufferedImage(image);
    }

    /** Copies a Java2D image into RGB bytes. */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        RgbImage interleaved = fromInterleavedBytes(image);
        if (interleaved != null) {
            return interleaved;
        }
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        return new RgbImage(width, height, rgb);
    }

    /**
     * The bytes of an 8-bit BGR or ABGR image (what ImageIO decodes colour PNGs and JPEGs to) copied straight from its
     * raster: per-pixel {@code getRGB} colour conversion costs more than the PNG decode itself at camera resolution.
     * Null for any other layout.
     */
    private static RgbImage fromInterleavedBytes(BufferedImage image) {
        int type = image.getType();
        if (type != BufferedImage.TYPE_3BYTE_BGR && type != BufferedImage.TYPE_4BYTE_ABGR) {
            return null;
        }
        WritableRaster raster = image.getRaster();
        if (!(raster.getSampleModel() instanceof PixelInterleavedSampleModel model)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return null;
        }
        int stride = model.getPixelStride();
        int[] offsets = model.getBandOffsets();
        int red = offsets[0];
        int green = offsets[1];
        int blue = offsets[2];
        int width = image.getWidth();
        int height = image.getHeight();
        int scanline = model.getScanlineStride();
        byte[] data = buffer.getData();
        int base = buffer.getOffset();
        byte[] rgb = new byte[width * height * 3];
        int o = 0;
        for (int y = 0; y < height; y++) {
            int p = base + y * scanline;
            for (int x = 0; x < width; x++, p += stride) {
                rgb[o++] = data[p + red];
                rgb[o++] = data[p + green];
                rgb[o++] = data[p + blue];
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** A Java2D copy of this image. */
    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = new int[width * height];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (rgb[3 * i] & 0xFF) << 16 | (rgb[3 * i + 1] & 0xFF) << 8 | (rgb[3 * i + 2] & 0xFF);
        }
        image.setRGB(0, 0, width, height, pixels, 0, width);
        return image;
    }

    /** Lossless PNG bytes of this image. */
    public byte[] encodePng() {
        return PngEncoder.rgb8(width, height, rgb);
    }

    /** Value of channel {@code c} (0 = R) at column {@code x}, row {@code y}, in 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /**
     * Planar float copy in [0, 1], channel-major (CHW): what the networks take.
     *
     * @return {@code 3·height·width} floats, all R, then all G, then all B
     */
    public float[] toChwFloats() {
        int plane = width * height;
        float[] chw = new float[3 * plane];
        float[] unit = UNIT;
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            chw[i] = unit[rgb[p] & 0xFF];
            chw[plane + i] = unit[rgb[p + 1] & 0xFF];
            chw[2 * plane + i] = unit[rgb[p + 2] & 0xFF];
        }
        return chw;
    }

    /** {@code v / 255f} for every byte value: a lookup gives the same floats as the division, several times faster. */
    private static final float[] UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT[v] = v / 255f;
        }
    }
}
