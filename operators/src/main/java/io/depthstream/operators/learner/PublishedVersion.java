package io.depthstream.operators.learner;

import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One complete version in a {@link ModelStore}.
 *
 * @param number the version number N (the directory is {@code v<N>/}); 0 is the first version of a store
 * @param uri the version directory as a Flink file system path string (e.g. {@code file:/models/v3},
 *     {@code s3://bucket/models/v3}), readable with {@code new org.apache.flink.core.fs.Path(uri)}
 * @param metrics what was recorded with the weights
 */
public record PublishedVersion(int number, String uri, VersionMetrics metrics) implements Serializable {

    private static final long serialVersionUID = 1L;
    // no leading zeros: "v03" and "v3" must not both name version 3
    private static final Pattern NAME = Pattern.compile("v?(0|[1-9][0-9]{0,8})");

    public PublishedVersion {
        if (number < 0) {
            throw new IllegalArgumentException("version number must not be negative, got " + number);
        }
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("version URI is required");
        }
        if (metrics == null) {
            throw new IllegalArgumentException("version metrics are required");
        }
    }

    /** The version's name, {@code v<N>}: its directory name, and the model version results are tagged with. */
    public String name() {
        return name(number);
    }

    /** {@code v<number>}. */
    public static String name(int number) {
        return "v" + number;
    }

    /**
     * The number in a version name: {@code v3} or {@code 3} give 3.
     *
     * @throws IllegalArgumentException when {@code text} is neither
     */
    public static int parseNumber(String text) {
        Matcher matcher = text == null ? null : NAME.matcher(text.trim());
        if (matcher == null || !matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a model version: expected v<N> or N, e.g. v3");
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** The number of a version directory's name ({@code v<N>}, nothing else), or -1 when it is not one. */
    static int directoryNumber(String directoryName) {
        if (directoryName == null || !directoryName.startsWith("v")) {
            return -1;
        }
        Matcher matcher = NAME.matcher(directoryName);
        return matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
    }
}
