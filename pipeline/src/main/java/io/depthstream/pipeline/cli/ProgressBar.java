package io.depthstream.pipeline.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a counted loop (items done of a total, items per second, time left) for a terminal or a log.
 *
 * <p>On a terminal one line is redrawn in place with {@code \r} (at most five times a second); in a log (CI, a
 * redirected stderr) a plain line is written each time another tenth of the work is done or 10 s have passed
 * since the last line, so logs stay short and readable. {@link #finish()} always writes the final line.
 * Not thread-safe: one loop drives it.
 */
public final class ProgressBar {

    private static final long REDRAW_NANOS = 200_000_000L;
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final int BAR_WIDTH = 24;

    private final String label;
    private final String unit;
    private final long total;
    private final PrintWriter out;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private final long start;

    private long done;
    private long lastPrinted;
    private long lastTenth;
    private int lastWidth;
    private boolean finished;
    private String detail = "";

    /**
     * A progress bar that writes to {@code out}.
     *
     * @param label what is being done, printed first (e.g. {@code eval})
     * @param unit the items counted, for the rate (e.g. {@code img})
     * @param total how many items the loop will do
     * @param interactive redraw one line in place (a terminal) rather than write occasional lines (a log)
     * @param nanoClock monotonic nanoseconds, {@link System#nanoTime()} outside tests
     */
    public ProgressBar(String label, String unit, long total, PrintWriter out, boolean interactive, LongSupplier nanoClock) {
        if (total < 0) {
            throw new IllegalArgumentException("total must not be negative: " + total);
        }
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.out = out;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.lastPrinted = start;
    }

    /** A progress bar on {@code err}, redrawn in place when the JVM has a console (stderr is then a terminal). */
    public static ProgressBar of(String label, String unit, long total, PrintWriter err) {
        return new ProgressBar(label, unit, total, err, System.console() != null, System::nanoTime);
    }

    /** Records {@code items} more items done and shows progress when it is time to. */
    public void advance(long items) {
        if (items < 0) {
            throw new IllegalArgumentException("cannot advance by a negative count: " + items);
        }
        done = Math.min(total, done + items);
        long now = nanoClock.getAsLong();
        if (interactive) {
            if (now - lastPrinted >= REDRAW_NANOS || done == total) {
                redraw(now);
            }
            return;
        }
        long tenth = total == 0 ? 10 : done * 10 / total;
        if (tenth > lastTenth || now - lastPrinted >= LOG_INTERVAL_NANOS) {
            lastTenth = tenth;
            lastPrinted = now;
            out.println(render(now));
            out.flush();
        }
    }

    /** Writes the final line (ending the in-place line on a terminal); further calls do nothing. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        long now = nanoClock.getAsLong();
        if (interactive) {
            redraw(now);
            out.println();
        } else if (!(done == total && lastTenth == 10)) {
            out.println(render(now));
        }
        out.flush();
    }

    /** Text shown after the rate from now on (e.g. the current loss); empty for none. */
    public void detail(String text) {
        detail = text == null ? "" : text;
    }

    /** Items done so far. */
    public long done() {
        return done;
    }

    /**
     * The progress line at time {@code now}, e.g. {@code eval [#####...]  37/100  37%  12.3 img/s  ETA 0:05};
     * once everything is done the ETA gives way to the elapsed time.
     */
    String render(long now) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        int percent = total == 0 ? 100 : (int) (done * 100 / total);
        int filled = total == 0 ? BAR_WIDTH : (int) (done * BAR_WIDTH / total);
        String width = Integer.toString(Long.toString(total).length());
        String tail = done >= total
                ? "in " + duration(seconds)
                : "ETA " + (rate > 0 ? duration((total - done) / rate) : "--:--");
        return String.format(Locale.ROOT, "%s [%s%s] %" + width + "d/%d %3d%% %6.1f %s/s  %s%s",
                label, "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), done, total, percent, rate, unit, tail,
                detail.isEmpty() ? "" : "  " + detail);
    }

    private void redraw(long now) {
        lastPrinted = now;
        String line = render(now);
        // pad with spaces so a shorter line fully covers the one it replaces
        String padding = " ".repeat(Math.max(0, lastWidth - line.length()));
        lastWidth = line.length();
        out.print("\r" + line + padding);
        out.flush();
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
