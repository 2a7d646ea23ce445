package io.depthstream.model.data;

/**
 * The fields of a PNG's IHDR chunk.
 *
 * @param width pixels per row
 * @param height rows
 * @param bitDepth bits per sample (1, 2, 4, 8 or 16)
 * @param colourType PNG colour type: {@link #GREY}, {@link #RGB}, {@link #PALETTE}, {@link #GREY_ALPHA} or {@link #RGBA}
 * @param interlaced whether the image is Adam7-interlaced
 */
public record PngHeader(long width, long height, int bitDepth, int colourType, boolean interlaced) {

    /** Colour type of single-channel grey images. */
    public static final int GREY = 0;
    /** Colour type of RGB images. */
    public static final int RGB = 2;
    /** Colour type of palette images. */
    public static final int PALETTE = 3;
    /** Colour type of grey images with alpha. */
    public static final int GREY_ALPHA = 4;
    /** Colour type of RGB images with alpha. */
    public static final int RGBA = 6;

    /** Samples per pixel of this colour type. */
    public int channels() {
        return switch (colourType) {
            case GREY, PALETTE -> 1;
            case GREY_ALPHA -> 2;
            case RGB -> 3;
            case RGBA -> 4;
            default -> throw new IllegalStateException("unknown PNG colour type " + colourType);
        };
    }
}
