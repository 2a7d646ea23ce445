package io.depthstream.model.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One KITTI raw drive, e.g. {@code 2011_09_26/2011_09_26_drive_0022_sync}.
 *
 * @param date the recording date folder, e.g. {@code 2011_09_26}
 * @param name the drive folder, e.g. {@code 2011_09_26_drive_0022_sync}
 */
public record KittiDrive(String date, String name) {

    static final Pattern DATE = Pattern.compile("\\d{4}_\\d{2}_\\d{2}");
    static final Pattern NAME = Pattern.compile("(\\d{4}_\\d{2}_\\d{2})_drive_\\d{4}_sync");

    public KittiDrive {
        Matcher matcher = NAME.matcher(name);
        if (!matcher.matches() || !matcher.group(1).equals(date)) {
            throw new IllegalArgumentException(
                    "not a KITTI raw drive: '" + date + "/" + name + "' (expected YYYY_MM_DD/YYYY_MM_DD_drive_NNNN_sync)");
        }
    }

    /** Parses the {@code date/name} form used by split files. */
    public static KittiDrive parse(String path) {
        int slash = path.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(
                    "not a KITTI raw drive: '" + path + "' (expected YYYY_MM_DD/YYYY_MM_DD_drive_NNNN_sync)");
        }
        return new KittiDrive(path.substring(0, slash), path.substring(slash + 1));
    }

    /** The drive named by its folder alone; the date is its prefix. */
    public static KittiDrive ofName(String name) {
        Matcher matcher = NAME.matcher(name);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a KITTI raw drive folder: '" + name + "'");
        }
        return new KittiDrive(matcher.group(1), name);
    }

    /** The file name KITTI publishes the drive under, e.g. {@code 2011_09_26_drive_0022_sync.zip}. */
    public String archiveName() {
        return name + ".zip";
    }

    /** {@code date/name}: the drive's folder relative to a KITTI root, and its prefix inside the archive. */
    public String path() {
        return date + "/" + name;
    }

    @Override
    public String toString() {
        return path();
    }
}
