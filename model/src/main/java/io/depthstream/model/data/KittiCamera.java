package io.depthstream.model.data;

/** KITTI's rectified colour cameras: image_02 (left) and image_03 (right). */
public enum KittiCamera {
    IMAGE_02(2, 'l'),
    IMAGE_03(3, 'r');

    private final int index;
    private final char side;

    KittiCamera(int index, char side) {
        this.index = index;
        this.side = side;
    }

    /** The camera number in KITTI's calibration keys (P_rect_02 → 2). */
    public int index() {
        return index;
    }

    /** The side letter of split files: {@code l} or {@code r}. */
    public char side() {
        return side;
    }

    /** The folder name inside a drive, e.g. {@code image_02}. */
    public String folder() {
        return "image_0" + index;
    }

    /** The camera of a split-file side letter. */
    public static KittiCamera ofSide(String side) {
        return switch (side) {
            case "l" -> IMAGE_02;
            case "r" -> IMAGE_03;
            default -> throw new IllegalArgumentException("side must be l or r, got '" + side + "'");
        };
    }
}
