package io.depthstream.model.data.synth;

/**
 * Deterministic procedural surface colours (albedo) and sky: asphalt grain, lane marks, paving tiles, bricks,
 * plaster, windows, bark, foliage, car paint. Photometric self-supervision needs texture at every scale, so
 * every surface carries noise down to centimetres; detail finer than the pixel footprint is replaced by its
 * mean (a cheap analytic anti-aliasing), so that the same surface point has the same colour from frame to frame.
 */
public final class ProceduralTexture {

    private final StreetLayout layout;
    private final int seed;
    private final Palette palette;

    /** Textures for a street with the given layout; {@code seed} varies the noise. */
    public ProceduralTexture(StreetLayout layout, int seed) {
        this(layout, seed, Palette.STANDARD);
    }

    /** Textures for a street with the given layout in {@code palette}'s colours; {@code seed} varies the noise. */
    public ProceduralTexture(StreetLayout layout, int seed, Palette palette) {
        this.layout = layout;
        this.seed = seed;
        this.palette = palette;
    }

    /** A well-mixed 32-bit hash of two lattice coordinates and a seed. */
    static int hash(int x, int y, int seed) {
        int h = seed * 0x27d4eb2d ^ x * 0x165667b1 ^ y * 0x9e3779b9;
        h ^= h >>> 15;
        h *= 0x2c1b3c6d;
        h ^= h >>> 12;
        h *= 0x297a2d39;
        h ^= h >>> 15;
        return h;
    }

    /** Uniform value in [0, 1) from a hash. */
    static double unit(int x, int y, int seed) {
        return (hash(x, y, seed) & 0xFFFFFF) / (double) 0x1000000;
    }

    /** Smooth value noise in [0, 1). */
    static double noise(double x, double y, int seed) {
        double fx = Math.floor(x);
        double fy = Math.floor(y);
        int ix = (int) fx;
        int iy = (int) fy;
        double tx = x - fx;
        double ty = y - fy;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        double a = unit(ix, iy, seed);
        double b = unit(ix + 1, iy, seed);
        double c = unit(ix, iy + 1, seed);
        double d = unit(ix + 1, iy + 1, seed);
        double top = a + tx * (b - a);
        double bottom = c + tx * (d - c);
        return top + ty * (bottom - top);
    }

    /** How much of a feature of size {@code size} survives a pixel footprint {@code fp}: 1 when sharp, 0 when sub-pixel. */
    static double detail(double size, double fp) {
        double q = fp / size;
        return q <= 0.25 ? 1 : q >= 0.5 ? 0 : 2 - 4 * q;
    }

    /** Fractal noise in about [−0.5, 0.5]; octaves finer than the footprint fade to their mean (0). */
    static double fbm(double x, double y, int seed, double frequency, int octaves, double fp) {
        double sum = 0;
        double amplitude = 0.5;
        double norm = 0;
        double f = frequency;
        for (int o = 0; o < octaves; o++) {
            double keep = detail(1 / f, fp);
            if (keep <= 0) {
                norm += amplitude;
                break;
            }
            sum += amplitude * keep * (noise(x * f, y * f, seed + o * 131) - 0.5);
            norm += amplitude;
            amplitude *= 0.75;
            f *= 2;
        }
        return sum / norm;
    }

    /** Fraction of a box filter of width {@code fp} centred at distance {@code d} that covers the band |x| ≤ hw. */
    static double band(double d, double hw, double fp) {
        double lo = Math.max(d - fp / 2, -hw);
        double hi = Math.min(d + fp / 2, hw);
        return hi <= lo ? 0 : Math.min(1, (hi - lo) / fp);
    }

    /** Coverage of lines of half-width {@code hw} repeating every {@code period}, centred on multiples of it. */
    static double periodicBand(double x, double period, double hw, double fp) {
        double mean = 2 * hw / period;
        if (fp >= period) {
            return mean;
        }
        double d = Math.abs(x - period * Math.floor(x / period + 0.5));
        double sharp = Math.min(1, band(d, hw, fp) + band(period - d, hw, fp));
        double keep = detail(period, fp);
        return keep * sharp + (1 - keep) * mean;
    }

    /**
     * Albedo of the surface in {@code hit} at world point (px, py, pz), seen with pixel footprint {@code fp}
     * metres, into {@code rgb[0..2]} in [0, 1].
     */
    void albedo(Hit hit, double px, double py, double pz, double fp, double[] rgb) {
        standardAlbedo(hit, px, py, pz, fp, rgb);
        palette.repaint(rgb);
    }

    private void standardAlbedo(Hit hit, double px, double py, double pz, double fp, double[] rgb) {
        switch (hit.material) {
            case GROUND -> ground(px, pz, fp, rgb);
            case BRICK, PLASTER -> facade(hit, px, py, pz, fp, rgb);
            case METAL -> {
                double v = 0.46 * (1 + 0.25 * fbm(px + pz, py * 3, hit.seed, 2, 5, fp));
                set(rgb, v, v * 1.02, v * 1.06);
                double ring = periodicBand(py, 1.3, 0.04, fp);
                mix(rgb, 0.2, 0.2, 0.22, ring);
            }
            case BARK -> {
                double v = 1 + 0.45 * fbm((px + pz) * 4, py * 1.5, hit.seed, 3, 5, fp);
                set(rgb, 0.34 * v, 0.25 * v, 0.17 * v);
            }
            case FOLIAGE -> foliage(hit, px, py, pz, fp, rgb);
            case PAINT -> paint(hit, px, py, pz, fp, rgb);
            case CABIN -> cabin(hit, px, py, pz, fp, rgb);
            case WOOD -> {
                double plank = Math.floor(py / 0.12);
                double shade = 0.85 + 0.3 * detail(0.12, fp) * (unit((int) plank, 7, hit.seed) - 0.5);
                double grain = 1 + 0.2 * fbm(px * 0.3 + pz, py * 8, hit.seed, 4, 4, fp);
                double v = shade * grain;
                set(rgb, 0.52 * v, 0.37 * v, 0.22 * v);
                mix(rgb, 0.2, 0.14, 0.08, periodicBand(py, 0.12, 0.008, fp));
            }
        }
    }

    private void ground(double px, double pz, double fp, double[] rgb) {
        double r = layout.lateral(px, pz) - StreetLayout.ROAD_CENTRE;
        double a = layout.along(px, pz);
        double ar = Math.abs(r);
        if (ar < StreetLayout.ROAD_HALF_WIDTH) {
            double v = 0.33 + 0.16 * fbm(px, pz, seed, 0.35, 8, fp) + 0.25 * fbm(px, pz, seed + 7, 5, 4, fp)
                    + 0.1 * detail(0.03, fp) * (unit((int) Math.floor(px * 30), (int) Math.floor(pz * 30), seed + 1) - 0.5);
            if (ar > 3.5) {
                v *= 0.9;
            }
            set(rgb, v, v, v * 1.04);
            double along = fp;
            double dash = band(Math.abs(a - 9 * Math.floor(a / 9) - 1.5), 1.5, Math.max(along, 1e-3));
            double centre = band(ar, 0.075, fp) * dash;
            double edge = band(Math.abs(ar - 3.5), 0.06, fp);
            double bay = ar > 3.6 && ar < 5.4 ? periodicBand(a, 5.5, 0.05, fp) : 0;
            double mark = Math.max(centre, Math.max(edge, bay));
            if (mark > 0) {
                double paint = 0.82 + 0.12 * fbm(px * 3, pz * 3, seed + 2, 1, 4, fp);
                mix(rgb, paint, paint, paint * 0.97, mark);
            }
        } else if (ar < StreetLayout.ROAD_HALF_WIDTH + 0.25) {
            double v = 0.62 + 0.1 * fbm(a * 2, r * 2, seed + 3, 2, 5, fp);
            set(rgb, v, v, v * 0.98);
            mix(rgb, 0.35, 0.35, 0.35, periodicBand(a, 1.0, 0.006, fp));
        } else if (ar < StreetLayout.FACADE_OFFSET + 1.5) {
            double tileA = Math.floor(a / 0.4);
            double tileR = Math.floor(r / 0.4);
            double shade = 1 + 0.14 * detail(0.4, fp) * (unit((int) tileA, (int) tileR, seed + 4) - 0.5);
            double v = shade * (1 + 0.25 * fbm(a, r, seed + 5, 1.5, 6, fp) + 0.4 * fbm(a, r, seed + 8, 10, 3, fp));
            set(rgb, 0.6 * v, 0.57 * v, 0.53 * v);
            double grout = Math.max(periodicBand(a, 0.4, 0.008, fp), periodicBand(r, 0.4, 0.008, fp));
            mix(rgb, 0.32, 0.3, 0.28, grout);
        } else {
            double v = 1 + 0.35 * fbm(px, pz, seed + 6, 0.8, 7, fp);
            set(rgb, 0.42 * v, 0.4 * v, 0.33 * v);
        }
    }

    private void facade(Hit hit, double px, double py, double pz, double fp, double[] rgb) {
        Box box = hit.box;
        int s = hit.seed;
        double h = StreetLayout.GROUND_Y - py;
        if (hit.ny != 0) {
            double v = 0.3 * (1 + 0.3 * fbm(px, pz, s, 0.5, 6, fp));
            set(rgb, v, v, v);
            return;
        }
        double u = Math.abs(hit.nx) > 0.5 ? pz - box.minZ() : px - box.minX();
        if (hit.material == Material.BRICK) {
            double row = Math.floor(h / 0.075);
            double shifted = u + ((int) row % 2 == 0 ? 0 : 0.12);
            double brick = Math.floor(shifted / 0.24);
            double keep = detail(0.075, fp);
            double shade = 1 + 0.3 * keep * (unit((int) brick, (int) row, s) - 0.5);
            double base = shade * (1 + 0.25 * fbm(u, h, s + 1, 0.8, 7, fp) + 0.4 * fbm(u, h, s + 12, 12, 3, fp));
            double tint = unit(s, 1, 99);
            set(rgb, (0.5 + 0.15 * tint) * base, (0.24 + 0.08 * tint) * base, (0.17 + 0.05 * tint) * base);
            double mortar = Math.max(periodicBand(h, 0.075, 0.005, fp), periodicBand(shifted, 0.24, 0.005, fp));
            mix(rgb, 0.7, 0.68, 0.63, mortar);
        } else {
            double base = 1 + 0.2 * fbm(u, h, s + 1, 0.3, 8, fp) + 0.6 * fbm(u, h, s + 11, 6, 4, fp);
            set(rgb, (0.45 + 0.25 * unit(s, 2, 99)) * base, (0.42 + 0.25 * unit(s, 3, 99)) * base,
                    (0.38 + 0.22 * unit(s, 4, 99)) * base);
            double cornice = periodicBand(h - 0.05, 3.2, 0.09, fp);
            mix(rgb, 0.75, 0.73, 0.69, cornice);
        }
        if (h < 0.45 + fp) {
            double plinth = 0.35 * (1 + 0.2 * fbm(u, h, s + 2, 2, 5, fp));
            mix(rgb, plinth, plinth, plinth * 1.05, band(h - 0.225, 0.225, fp));
        }
        double height = box.maxY() - box.minY();
        if (h > 0.8 && h < height - 1.0) {
            double width = 1.0 + 0.5 * unit(s, 5, 99);
            double spacing = width + 1.2 + 1.0 * unit(s, 6, 99);
            double tall = 1.4 + 0.3 * unit(s, 7, 99);
            double offset = spacing * unit(s, 8, 99);
            double floorCentre = 0.9 + tall / 2;
            double du = u - offset;
            double dh = h - floorCentre;
            double glass = periodicBand(du, spacing, width / 2, fp) * periodicBand(dh, 3.2, tall / 2, fp);
            double frame = periodicBand(du, spacing, width / 2 + 0.08, fp) * periodicBand(dh, 3.2, tall / 2 + 0.08, fp);
            if (frame > 0) {
                mix(rgb, 0.78, 0.77, 0.74, frame);
                int wx = (int) Math.floor(du / spacing + 0.5);
                int wy = (int) Math.floor(dh / 3.2 + 0.5);
                double lit = unit(wx, wy, s + 9);
                double fv = (dh - 3.2 * wy) / tall + 0.5;
                double g = 0.08 + 0.25 * lit * lit + 0.12 * fv
                        + 0.15 * fbm(du * 2, dh * 2, s + 10, 1, 5, fp);
                mix(rgb, g * 0.85, g * 0.95, g * 1.15, glass);
            }
        }
    }

    private void foliage(Hit hit, double px, double py, double pz, double fp, double[] rgb) {
        double u = Math.abs(hit.nx) > 0.5 ? pz : px;
        double v = hit.ny != 0 ? pz : py;
        double leaves = fbm(u, v, hit.seed, 1.5, 7, fp);
        double clumps = fbm(u, v, hit.seed + 1, 0.4, 3, fp);
        double k = 0.65 + 1.1 * leaves + 0.5 * clumps;
        set(rgb, 0.2 * k, 0.36 * k, 0.13 * k);
    }

    private void paint(Hit hit, double px, double py, double pz, double fp, double[] rgb) {
        carColour(hit.seed, rgb);
        double gloss = 1 + 0.25 * fbm(px * 2 + pz, py * 2, hit.seed, 1, 6, fp) + 0.3 * fbm(px + pz, py, hit.seed + 1, 8, 3, fp);
        set(rgb, rgb[0] * gloss, rgb[1] * gloss, rgb[2] * gloss);
        Box box = hit.box;
        double h = StreetLayout.GROUND_Y - py;
        if (Math.abs(hit.nx) > 0.5) {
            double fromBack = pz - box.minZ();
            double fromFront = box.maxZ() - pz;
            double wheel = Math.min(
                    Math.hypot(fromBack - 0.75, h - 0.33), Math.hypot(fromFront - 0.75, h - 0.33));
            mix(rgb, 0.05, 0.05, 0.05, band(wheel, 0.34, fp));
            mix(rgb, 0.1, 0.1, 0.1, band(Math.abs(pz - (box.minZ() + box.maxZ()) / 2), 0.01, fp) * (h > 0.5 ? 1 : 0));
        } else if (Math.abs(hit.nz) > 0.5) {
            double centre = (box.minX() + box.maxX()) / 2;
            double half = (box.maxX() - box.minX()) / 2;
            double lamp = band(Math.abs(Math.abs(px - centre) - (half - 0.25)), 0.17, fp) * band(h - 0.72, 0.07, fp);
            if (hit.nz < 0) {
                mix(rgb, 0.95, 0.93, 0.85, lamp);
            } else {
                mix(rgb, 0.75, 0.08, 0.05, lamp);
            }
            mix(rgb, 0.92, 0.92, 0.9, band(Math.abs(px - centre), 0.26, fp) * band(h - 0.42, 0.06, fp));
            mix(rgb, 0.08, 0.08, 0.08, band(h - 0.27, 0.06, fp));
        }
    }

    private void cabin(Hit hit, double px, double py, double pz, double fp, double[] rgb) {
        carColour(hit.seed, rgb);
        if (hit.ny != 0) {
            return;
        }
        Box box = hit.box;
        double u = Math.abs(hit.nx) > 0.5 ? pz - box.minZ() : px - box.minX();
        double span = Math.abs(hit.nx) > 0.5 ? box.maxZ() - box.minZ() : box.maxX() - box.minX();
        double pillar = Math.max(band(u, 0.1, fp), Math.max(band(span - u, 0.1, fp),
                Math.abs(hit.nx) > 0.5 ? band(Math.abs(u - span / 2), 0.05, fp) : 0));
        double h = StreetLayout.GROUND_Y - py;
        double top = box.maxY() - box.minY();
        double sill = band(h - 0.95 - top, 0.04, fp);
        double g = 0.12 + 0.2 * fbm(u * 2, h * 4, hit.seed + 3, 1, 5, fp);
        double r = rgb[0];
        double gr = rgb[1];
        double b = rgb[2];
        set(rgb, g * 0.9, g, g * 1.15);
        mix(rgb, r, gr, b, Math.max(pillar, sill));
    }

    private static void carColour(int seed, double[] rgb) {
        double[][] palette = {
            {0.72, 0.72, 0.7}, {0.55, 0.56, 0.58}, {0.12, 0.12, 0.13}, {0.6, 0.1, 0.08},
            {0.12, 0.2, 0.5}, {0.3, 0.32, 0.33}, {0.75, 0.7, 0.55}, {0.1, 0.3, 0.18}};
        double[] c = palette[Math.floorMod(hash(seed, 11, 3), palette.length)];
        set(rgb, c[0], c[1], c[2]);
    }

    /**
     * Sky colour seen in world direction (dx, dy, dz) (any length) with angular pixel size {@code pixelAngle}:
     * a function of direction only, so it is consistent under any camera translation, like a sky at infinity.
     */
    void sky(double dx, double dy, double dz, double pixelAngle, double[] rgb) {
        double norm = Math.sqrt(dx * dx + dy * dy + dz * dz);
        double e = -dy / norm;
        double k = Math.max(0, Math.min(1, e * 3));
        set(rgb, horizon(0) + k * (0.32 - horizon(0)), horizon(1) + k * (0.52 - horizon(1)),
                horizon(2) + k * (0.86 - horizon(2)));
        if (e > 0.02) {
            double cx = dx / norm / e;
            double cz = dz / norm / e;
            double fp = pixelAngle / (e * e);
            double n = fbm(cx, cz, seed + 77, 1.2, 6, fp) + 0.5;
            double cloud = Math.max(0, Math.min(1, (n - 0.5) * 3.5));
            mix(rgb, 0.95, 0.95, 0.96, 0.85 * cloud);
        }
    }

    /** The haze colour at the horizon, channel {@code c}. */
    static double horizon(int c) {
        return c == 0 ? 0.78 : c == 1 ? 0.83 : 0.88;
    }

    private static void set(double[] rgb, double r, double g, double b) {
        rgb[0] = r;
        rgb[1] = g;
        rgb[2] = b;
    }

    private static void mix(double[] rgb, double r, double g, double b, double w) {
        if (w <= 0) {
            return;
        }
        rgb[0] += w * (r - rgb[0]);
        rgb[1] += w * (g - rgb[1]);
        rgb[2] += w * (b - rgb[2]);
    }
}
