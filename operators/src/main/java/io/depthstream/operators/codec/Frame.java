package io.depthstream.operators.codec;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;

/**
 * One decoded camera frame at network resolution, as it travels between operators.
 *
 * @param cameraId the camera (the Kafka key)
 * @param seq the camera's frame sequence number ({@code ds.seq})
 * @param captureTimeMs capture time, epoch milliseconds (the Kafka record timestamp); the event time
 * @param receivedAtMs wall-clock time the job read the record, epoch milliseconds; latency is measured from here
 * @param intrinsics pinhole intrinsics in pixels of {@code image} (rescaled with it)
 * @param image RGB8 at the network's input size
 * @param semantic per-pixel uint8 class ids at the size of {@code image} (nearest-neighbour resized), or null
 * @param decodeNanos time spent decoding the record's image (and semantic map)
 * @param resizeNanos time spent resizing to network resolution
 */
public record Frame(
        String cameraId,
        long seq,
        long captureTimeMs,
        long receivedAtMs,
        Intrinsics intrinsics,
        RgbImage image,
        byte[] semantic,
        long decodeNanos,
        long resizeNanos) {

    public Frame {
        if (cameraId == null || cameraId.isEmpty()) {
            throw new IllegalArgumentException("a frame needs a camera id");
        }
        if (intrinsics == null || image == null) {
            throw new IllegalArgumentException("a frame needs intrinsics and an image");
        }
        if (semantic != null && semantic.length != image.width() * image.height()) {
            throw new IllegalArgumentException("semantic map has " + semantic.length + " values for a "
                    + image.width() + "x" + image.height() + " image");
        }
    }
}
