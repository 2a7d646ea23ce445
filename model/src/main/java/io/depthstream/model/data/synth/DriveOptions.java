package io.depthstream.model.data.synth;

/**
 * What a synthetic drive contains.
 *
 * @param frames number of frames (at least 3: one triplet)
 * @param width image width, pixels
 * @param height image height, pixels
 * @param movingObjects whether cars drive through the scene
 * @param staticStretch whether the camera stands still for some frames
 * @param palette the surfaces' colours
 */
public record DriveOptions(int frames, int width, int height, boolean movingObjects, boolean staticStretch,
                           Palette palette) {

    /** Largest accepted image side: far beyond KITTI, small enough to keep a frame in memory. */
    public static final int MAX_SIDE = 8192;

    public DriveOptions {
        if (frames < 3) {
            throw new IllegalArgumentException("a drive needs at least 3 frames, got " + frames);
        }
        if (width < 8 || height < 8 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException(
                    "image size must be between 8 and " + MAX_SIDE + " pixels per side, got " + width + "x" + height);
        }
        if (palette == null) {
            throw new IllegalArgumentException("palette is required");
        }
    }

    /** A drive in the standard palette. */
    public DriveOptions(int frames, int width, int height, boolean movingObjects, boolean staticStretch) {
        this(frames, width, height, movingObjects, staticStretch, Palette.STANDARD);
    }

    /** These options with the surfaces in {@code other}'s colours. */
    public DriveOptions withPalette(Palette other) {
        return new DriveOptions(frames, width, height, movingObjects, staticStretch, other);
    }

    /** KITTI-sized frames (1242×375), static scene, no stand-still. */
    public static DriveOptions kitti(int frames) {
        return new DriveOptions(frames, RigCalibration.KITTI_WIDTH, RigCalibration.KITTI_HEIGHT, false, false);
    }
}
