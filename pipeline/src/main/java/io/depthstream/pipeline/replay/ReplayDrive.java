package io.depthstream.pipeline.replay;

import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;

/**
 * One KITTI drive's camera replayed as one live camera.
 *
 * @param drive the drive
 * @param camera which colour camera's images are sent (image_02 = left, image_03 = right)
 * @param cameraId the camera id the frames are keyed by
 */
public record ReplayDrive(KittiDrive drive, KittiCamera camera, String cameraId) {

    public ReplayDrive {
        if (drive == null || camera == null) {
            throw new IllegalArgumentException("a replayed drive needs a drive and a camera");
        }
        if (cameraId == null || cameraId.isEmpty()) {
            throw new IllegalArgumentException("drive " + drive + " needs a non-empty camera id");
        }
    }

    /**
     * {@code drive}'s {@code camera} under its default camera id: the drive's folder name for the left camera
     * (e.g. {@code 2011_09_26_drive_0001_sync}), with {@code -r} appended for the right one, so both sides of a
     * drive can stream at once.
     */
    public static ReplayDrive of(KittiDrive drive, KittiCamera camera) {
        return new ReplayDrive(drive, camera, camera == KittiCamera.IMAGE_02 ? drive.name() : drive.name() + "-r");
    }
}
