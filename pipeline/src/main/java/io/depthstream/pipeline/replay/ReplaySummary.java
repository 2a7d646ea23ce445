package io.depthstream.pipeline.replay;

import java.util.Locale;

/**
 * What a replay sent.
 *
 * @param frames frame records acknowledged by the broker
 * @param bytes image bytes in those records (record values)
 * @param seconds wall-clock time from the first send to the final flush
 * @param passes passes begun over the drives (more than one with looping)
 * @param stopped whether the replay was stopped before its end (always, when looping)
 */
public record ReplaySummary(long frames, long bytes, double seconds, int passes, boolean stopped) {

    /** One line, e.g. {@code 12 frames, 7.9 MiB in 1.3 s (9.2 frames/s, 6.1 MiB/s)}. */
    public String describe() {
        double mib = bytes / (1024.0 * 1024.0);
        double rate = seconds > 0 ? frames / seconds : 0;
        double throughput = seconds > 0 ? mib / seconds : 0;
        return String.format(Locale.ROOT, "%d frame%s, %.1f MiB in %.1f s (%.1f frames/s, %.1f MiB/s)%s", frames,
                frames == 1 ? "" : "s", mib, seconds, rate, throughput,
                passes > 1 ? ", " + passes + " passes" : "");
    }
}
