package io.depthstream.operators.codec;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Per-pixel uint8 class ids from the {@code ds.semantic} header: decoding and nearest-neighbour resizing. */
public final class SemanticMap {

    private SemanticMap() {
    }

    /**
     * The class ids of a PNG that must be {@code width×height}: an 8-bit (or narrower) grey PNG holds them as grey
     * values, a palette PNG as palette indices.
     *
     * @return {@code width·height} ids, row by row
     * @throws InvalidFrameException when the bytes are not such a PNG of that size
     */
    public static byte[] decode(byte[] png, int width, int height) throws InvalidFrameException {
        // the size is checked on the header, so a huge map is refused before its pixels are decoded
        EncodedImageReader.Decoded decoded = EncodedImageReader.readOfSize(png, WireFormat.SEMANTIC, width, height);
        if (!decoded.format().equals("png")) {
            throw new InvalidFrameException(WireFormat.SEMANTIC + " must be a PNG (lossy " + decoded.format()
                    + " would corrupt class ids)");
        }
        BufferedImage image = decoded.image();
        Raster raster = image.getRaster();
        boolean palette = image.getColorModel() instanceof IndexColorModel;
        if (!palette && (raster.getNumBands() != 1 || raster.getSampleModel().getSampleSize(0) > 8)) {
            throw new InvalidFrameException(WireFormat.SEMANTIC + " must hold 8-bit class ids in one channel, got "
                    + raster.getNumBands() + " channel(s) of " + raster.getSampleModel().getSampleSize(0) + " bits");
        }
        int[] samples = raster.getSamples(0, 0, width, height, 0, (int[]) null);
        byte[] ids = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            ids[i] = (byte) samples[i];
        }
        return ids;
    }

    /**
     * {@code ids} ({@code width×height}) resized to {@code toWidth×toHeight} by nearest neighbour with half-pixel
     * centres: target pixel x takes source column {@code floor((x + 0.5)·width/toWidth)}, the same pixel grid as
     * the area and bilinear image resize, and no class id is ever blended into a different one.
     */
    public static byte[] resizeNearest(byte[] ids, int width, int height, int toWidth, int toHeight) {
        if (ids.length != width * height) {
            throw new IllegalArgumentException(ids.length + " ids for a " + width + "x" + height + " map");
        }
        if (width == toWidth && height == toHeight) {
            return ids;
        }
        int[] columns = new int[toWidth];
        for (int x = 0; x < toWidth; x++) {
            columns[x] = Math.min(width - 1, (int) Math.floor((x + 0.5) * width / toWidth));
        }
        byte[] out = new byte[toWidth * toHeight];
        for (int y = 0; y < toHeight; y++) {
            int row = Math.min(height - 1, (int) Math.floor((y + 0.5) * height / toHeight));
            for (int x = 0; x < toWidth; x++) {
                out[y * toWidth + x] = ids[row * width + columns[x]];
            }
        }
        return out;
    }
}
