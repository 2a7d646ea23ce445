package io.depthstream.model.loss;

/**
 * Class ids of one frame at a feature map's resolution, as triplet losses read them: pixels of equal id are
 * positives of each other, pixels of different id negatives.
 *
 * @param width pixels per row
 * @param height rows
 * @param classes {@code width·height} class ids, row-major (any non-negative ints)
 * @param eligible which pixels may serve as anchors, row-major; null for all of them
 */
public record LabelMap(int width, int height, int[] classes, boolean[] eligible) {

    public LabelMap {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("label map size must be positive: " + width + "x" + height);
        }
        if (classes == null || classes.length != width * height) {
            throw new IllegalArgumentException("expected " + width * height + " class ids, got "
                    + (classes == null ? "none" : classes.length));
        }
        if (eligible != null && eligible.length != classes.length) {
            throw new IllegalArgumentException("eligibility mask has " + eligible.length + " entries, expected "
                    + classes.length);
        }
        for (int id : classes) {
            if (id < 0) {
                // negative ids are reserved for positions outside the image
                throw new IllegalArgumentException("class ids must be non-negative, got " + id);
            }
        }
    }

    /** A map whose every pixel may be an anchor. */
    public static LabelMap of(int width, int height, int[] classes) {
        return new LabelMap(width, height, classes, null);
    }
}
