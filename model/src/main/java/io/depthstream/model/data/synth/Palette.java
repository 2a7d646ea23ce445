package io.depthstream.model.data.synth;

/**
 * The colours a synthetic street's surfaces are painted in. The geometry and the texture patterns stay those of the
 * seed; another palette makes the same kind of street look different, a domain shift for adaptation tests.
 */
public enum Palette {

    /** Brick, plaster, asphalt and paint in their usual colours. */
    STANDARD,
    /** Every surface in other colours: the colour channels rotated (red to green, green to blue, blue to red) and the
     *  contrast raised by a third around mid-grey. */
    ALTERNATE;

    /** The name on the command line. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The palette named {@code label} (standard or alternate). */
    public static Palette parse(String label) {
        for (Palette palette : values()) {
            if (palette.label().equals(label)) {
                return palette;
            }
        }
        throw new IllegalArgumentException("palette must be standard or alternate, got " + label);
    }

    /** Repaints an albedo given in the standard palette, in place. */
    void repaint(double[] rgb) {
        if (this == STANDARD) {
            return;
        }
        double r = rgb[0];
        double g = rgb[1];
        double b = rgb[2];
        rgb[0] = contrast(b);
        rgb[1] = contrast(r);
        rgb[2] = contrast(g);
    }

    private static double contrast(double v) {
        return Math.min(1, Math.max(0, 0.5 + 1.33 * (v - 0.5)));
    }
}
