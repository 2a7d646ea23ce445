package io.depthstream.operators.inference;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What inference does when frames come in faster than it can run them. */
public enum FramePolicy {

    /**
     * Every frame gets its result: a slower accelerator back-pressures the job up to the Kafka source, whose lag
     * grows; nothing is dropped.
     */
    EVERY_FRAME("every-frame"),

    /**
     * For live use: a frame older than {@code max-frame-age-ms} when it reaches inference is dropped (counted) unless
     * it is still its camera's newest, so results stay close to now and each camera's newest frame still gets one.
     */
    LATEST_FRAME("latest-frame");

    private final String configName;

    FramePolicy(String configName) {
        this.configName = configName;
    }

    /** The policy's name in configuration files and on the command line. */
    public String configName() {
        return configName;
    }

    /**
     * The policy named {@code name} ({@code every-frame} or {@code latest-frame}).
     *
     * @throws IllegalArgumentException naming the allowed values for any other name
     */
    public static FramePolicy parse(String name) {
        for (FramePolicy policy : values()) {
            if (policy.configName.equals(name)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("frame policy must be " + allowed() + ", got " + name);
    }

    /** The allowed names, for messages: {@code every-frame or latest-frame}. */
    public static String allowed() {
        return Arrays.stream(values()).map(FramePolicy::configName).collect(Collectors.joining(" or "));
    }
}
