package io.depthstream.model.eval;

/**
 * The Garg/Eigen evaluation crop of a ground-truth map, rows [top, bottom) and columns [left, right), computed from
 * the map's size with the published fractions and truncation (375×1242 → rows 153…371, columns 44…1197).
 *
 * @param top first row inside
 * @param bottom first row below
 * @param left first column inside
 * @param right first column to the right
 */
public record GargCrop(int top, int bottom, int left, int right) {

    /** The crop of a {@code width×height} ground-truth map. */
    public static GargCrop of(int width, int height) {
        return new GargCrop((int) (0.40810811 * height), (int) (0.99189189 * height),
                (int) (0.03594771 * width), (int) (0.96405229 * width));
    }

    /** Whether pixel (x, y) is inside. */
    public boolean contains(int x, int y) {
        return y >= top && y < bottom && x >= left && x < right;
    }
}
