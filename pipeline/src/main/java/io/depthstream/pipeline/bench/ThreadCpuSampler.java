package io.depthstream.pipeline.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Samples, every {@code periodMs}, the CPU time of this process and of its threads whose Linux name starts with a
 * prefix, so the CPU they used between two wall-clock instants can be read off afterwards.
 *
 * <p>The learner's training thread is a Java thread named {@code depthstream-learner}; the JVM gives it that native
 * name (truncated by Linux to 15 characters: {@code depthstream-lea}), and libtorch's OpenMP workers that the thread
 * starts for its own parallel regions are created by it and so inherit the name. Summing the tasks with that name
 * therefore counts the learner's share of PyTorch's threads too, which {@link java.lang.management.ThreadMXBean}
 * (Java threads only) cannot. Per-thread CPU comes from {@code /proc/self/task/<tid>/schedstat} (nanoseconds on the
 * CPU); a thread that ends keeps its last sampled time. The whole process's CPU time comes from the JVM. Linux only:
 * elsewhere no thread is ever matched.
 */
final class ThreadCpuSampler implements AutoCloseable {

    /** One sample: wall clock, CPU nanoseconds of the matched threads and of the whole process, matched threads. */
    record Sample(long wallMs, long matchedCpuNs, long processCpuNs, int matchedThreads) {}

    private static final Path TASKS = Path.of("/proc/self/task");

    private final String prefix;
    private final long periodMs;
    private final Map<String, Boolean> matches = new HashMap<>();
    private final Map<String, Long> lastCpu = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private ThreadCpuSampler(String prefix, long periodMs) {
        this.prefix = prefix;
        this.periodMs = periodMs;
        this.thread = prefix == null ? null : new Thread(this::loop, "bench-cpu-sampler");
        if (thread != null) {
            thread.setDaemon(true);
        }
    }

    /** A sampler that samples nothing: every window used no CPU and matched no thread. */
    static ThreadCpuSampler none() {
        ThreadCpuSampler sampler = new ThreadCpuSampler(null, 0);
        sampler.running = false;
        return sampler;
    }

    /** Starts sampling threads named {@code prefix}… (compared with the first 15 characters, as Linux keeps them). */
    static ThreadCpuSampler start(String prefix, long periodMs) {
        ThreadCpuSampler sampler = new ThreadCpuSampler(prefix.substring(0, Math.min(15, prefix.length())), periodMs);
        sampler.sample();
        sampler.thread.start();
        return sampler;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private synchronized void sample() {
        long wall = System.currentTimeMillis();
        long process = processCpuNs();
        if (Files.isDirectory(TASKS)) {
            try (Stream<Path> tasks = Files.list(TASKS)) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    String tid = task.getFileName().toString();
                    if (matches.computeIfAbsent(tid, t -> name(task).startsWith(prefix))) {
                        long cpu = schedstatNs(task);
                        if (cpu >= 0) {
                            lastCpu.put(tid, cpu);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a listing that fails (a thread ending under it) is simply a sample with the last known values
            }
        }
        long matched = lastCpu.values().stream().mapToLong(Long::longValue).sum();
        samples.add(new Sample(wall, matched, process, lastCpu.size()));
    }

    private static String name(Path task) {
        try {
            return Files.readString(task.resolve("comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static long schedstatNs(Path task) {
        try {
            String text = Files.readString(task.resolve("schedstat")).trim();
            return Long.parseLong(text.substring(0, text.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long processCpuNs() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Stops sampling after one last sample (once; a sampler that samples nothing does nothing). */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }

    /** CPU seconds of the matched threads and of the process in a window, and the most matched threads seen. */
    record Usage(double matchedCpuSeconds, double processCpuSeconds, int matchedThreads) {}

    /** CPU used between two wall-clock instants, each end interpolated linearly between the samples around it. */
    synchronized Usage between(long fromMs, long toMs) {
        return new Usage(interpolate(fromMs, toMs, true) / 1e9, interpolate(fromMs, toMs, false) / 1e9,
                samples.stream().mapToInt(Sample::matchedThreads).max().orElse(0));
    }

    private double interpolate(long fromMs, long toMs, boolean matched) {
        return at(toMs, matched) - at(fromMs, matched);
    }

    private double at(long wallMs, boolean matched) {
        Sample previous = null;
        for (Sample s : samples) {
            if (s.wallMs() >= wallMs) {
                if (previous == null || s.wallMs() == previous.wallMs()) {
                    return value(s, matched);
                }
                double f = (double) (wallMs - previous.wallMs()) / (s.wallMs() - previous.wallMs());
                return value(previous, matched) + f * (value(s, matched) - value(previous, matched));
            }
            previous = s;
        }
        return previous == null ? 0 : value(previous, matched);
    }

    private static double value(Sample s, boolean matched) {
        return matched ? s.matchedCpuNs() : s.processCpuNs();
    }
}
