package io.depthstream.pipeline.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Versions this build was made with, as Maven wrote them into {@code build.properties}.
 *
 * @param version depthstream's own version
 * @param flink Flink version compiled against
 * @param djl DJL version
 * @param pytorch PyTorch natives version
 * @param natives the natives artifact this build bundles ({@code pytorch-native-cpu} or {@code pytorch-native-cu118})
 */
public record BuildInfo(String version, String flink, String djl, String pytorch, String natives) {

    /** Reads the properties file packaged beside this class. */
    public static BuildInfo load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException("build.properties is missing from the class path: a broken build");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildInfo(
                properties.getProperty("version"),
                properties.getProperty("flink"),
                properties.getProperty("djl"),
                properties.getProperty("pytorch"),
                properties.getProperty("natives"));
    }
}
