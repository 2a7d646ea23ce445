package io.depthstream.model.data;

/**
 * One line of a split file: a frame of one camera of one drive.
 *
 * @param drive the drive
 * @param frame the frame index (the number in KITTI's file names)
 * @param camera image_02 for side {@code l}, image_03 for {@code r}
 * @param line the one-based line number it came from, for messages
 */
public record SplitEntry(KittiDrive drive, int frame, KittiCamera camera, int line) {
}
