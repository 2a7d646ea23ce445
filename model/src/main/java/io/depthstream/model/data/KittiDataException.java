package io.depthstream.model.data;

import java.io.IOException;

/** KITTI data that is missing or malformed (an archive, a frame, a calibration key, a split line), named in the message. */
public class KittiDataException extends IOException {

    public KittiDataException(String message) {
        super(message);
    }

    public KittiDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
