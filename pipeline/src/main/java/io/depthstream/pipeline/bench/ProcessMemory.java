package io.depthstream.pipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * This process's memory as Linux reports it, with the Java heap's share: native memory (libtorch's tensors,
 * Kafka's and Flink's buffers, the JVM itself) is what the resident set holds beyond the committed heap.
 *
 * @param peakRssBytes the largest resident set so far ({@code VmHWM})
 * @param rssBytes the resident set now ({@code VmRSS})
 * @param heapCommittedBytes Java heap committed now
 * @param heapUsedBytes Java heap in use now
 */
public record ProcessMemory(long peakRssBytes, long rssBytes, long heapCommittedBytes, long heapUsedBytes) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /** The current figures, or empty where {@code /proc/self/status} does not exist (not Linux). */
    public static Optional<ProcessMemory> current() {
        if (!Files.isReadable(STATUS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(Files.readString(STATUS)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static ProcessMemory parse(String status) {
        long peak = -1;
        long rss = -1;
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                peak = kibibytes(line);
            } else if (line.startsWith("VmRSS:")) {
                rss = kibibytes(line);
            }
        }
        if (peak < 0 || rss < 0) {
            throw new IllegalArgumentException("no VmHWM/VmRSS lines in the process status");
        }
        Runtime runtime = Runtime.getRuntime();
        return new ProcessMemory(peak * 1024, rss * 1024, runtime.totalMemory(),
                runtime.totalMemory() - runtime.freeMemory());
    }

    private static long kibibytes(String line) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length != 3 || !parts[2].equals("kB")) {
            throw new IllegalArgumentException("unexpected status line: " + line);
        }
        return Long.parseLong(parts[1]);
    }

    /** Resident memory outside the committed Java heap, now. */
    public long offHeapBytes() {
        return Math.max(0, rssBytes - heapCommittedBytes);
    }
}
