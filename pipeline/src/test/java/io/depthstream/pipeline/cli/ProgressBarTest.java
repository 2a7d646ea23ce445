package io.depthstream.pipeline.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(5 * SECOND);
    private final StringWriter text = new StringWriter();

    private ProgressBar bar(long total, boolean interactive) {
        return new ProgressBar("eval", "img", total, new PrintWriter(text), interactive, clock::get);
    }

    @Test
    void aLogGetsOneLineForEachTenthWithCountRateAndEta() {
        ProgressBar bar = bar(20, false);
        for (int i = 0; i < 20; i++) {
            clock.addAndGet(SECOND / 2);
            bar.advance(1);
        }
        bar.finish();

        List<String> lines = text.toString().lines().toList();
        assertThat(lines).hasSize(10);
        // 2 images in 1 s: 2 img/s, 18 left → 9 s
        assertThat(lines.get(0)).isEqualTo("eval [##......................]  2/20  10%    2.0 img/s  ETA 0:09");
        assertThat(lines.get(4)).isEqualTo("eval [############............] 10/20  50%    2.0 img/s  ETA 0:05");
        assertThat(lines.get(9)).isEqualTo("eval [########################] 20/20 100%    2.0 img/s  in 0:10");
        assertThat(text.toString()).doesNotContain("\r");
    }

    @Test
    void aSlowLoopStillLogsEveryTenSeconds() {
        ProgressBar bar = bar(1000, false);
        for (int i = 0; i < 4; i++) {
            clock.addAndGet(3 * SECOND);
            bar.advance(1);
        }

        // after 12 s, 4 of 1000 at 1/3 img/s: 996 × 3 s = 2988 s left
        assertThat(text.toString().lines().toList())
                .containsExactly("eval [........................]    4/1000   0%    0.3 img/s  ETA 49:48");
    }

    @Test
    void anUnfinishedLoopEndsWithItsLastStateAndHoursAreShown() {
        ProgressBar bar = bar(10_000, false);
        clock.addAndGet(10 * SECOND);
        bar.advance(1);
        bar.finish();
        bar.finish();

        // 1 img per 10 s: 9999 × 10 s = 27:46:30
        assertThat(text.toString().lines().toList()).containsExactly(
                "eval [........................]     1/10000   0%    0.1 img/s  ETA 27:46:30",
                "eval [........................]     1/10000   0%    0.1 img/s  ETA 27:46:30");
    }

    @Test
    void nothingDoneYetHasNoEta() {
        assertThat(bar(3, false).render(clock.get() + SECOND)).isEqualTo("eval [........................] 0/3   0%    0.0 img/s  ETA --:--");
    }

    @Test
    void aTerminalLineIsRedrawnInPlaceAtMostFiveTimesASecond() {
        ProgressBar bar = bar(4, true);
        clock.addAndGet(SECOND);
        bar.advance(1);
        clock.addAndGet(SECOND / 10);
        bar.advance(1);
        clock.addAndGet(SECOND);
        bar.advance(1);
        clock.addAndGet(SECOND / 10);
        bar.advance(1);
        assertThat(text.toString()).doesNotContain("\n");
        bar.finish();

        String shown = text.toString();
        assertThat(shown).startsWith("\r").endsWith(System.lineSeparator());
        // redraws at 1/4 (1.0 img/s), 3/4 (after 2.1 s) and 4/4 (the end is always drawn), then once more by finish
        assertThat(shown.split("\r")).hasSize(5);
        assertThat(shown).contains("\reval [######..................] 1/4  25%    1.0 img/s  ETA 0:03")
                .contains("\reval [##################......] 3/4  75%    1.4 img/s  ETA 0:01")
                .contains("\reval [########################] 4/4 100%    1.8 img/s  in 0:02");
    }
}
