package io.depthstream.model.io;

/**
 * A storage a checkpoint's pickle refers to by persistent id; its bytes live outside the pickle.
 *
 * @param key the storage's name in the file: the zip entry {@code data/<key>}, or the legacy format's storage key
 * @param dtype its element type
 * @param numel its length in elements, as the pickle states it
 * @param viewOffset where a legacy storage view starts inside the storage, in elements; 0 otherwise
 */
record StorageRef(String key, TorchDtype dtype, long numel, long viewOffset) {
}
