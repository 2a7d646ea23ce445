package io.depthstream.model.data;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** Files of KITTI raw data addressed by their path inside the published archives ({@code 2011_09_26/...}). */
interface KittiEntrySource extends Closeable {

    /** Where the entries come from, for messages. */
    String describe();

    /** Whether the file {@code entry} exists. */
    boolean exists(String entry);

    /** The names of the files directly inside folder {@code dir} (no trailing slash), sorted; empty when absent. */
    List<String> files(String dir) throws IOException;

    /** The bytes of one file, read on its own. */
    byte[] read(String entry) throws IOException;
}
