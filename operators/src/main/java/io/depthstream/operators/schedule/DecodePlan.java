package io.depthstream.operators.schedule;

import java.util.Objects;

/**
 * How one TaskManager decodes frames: the {@link DecodeLayout} in force (never {@link DecodeLayout#AUTO}), the decode
 * threads, and why.
 *
 * @param layout overlapped with inference, or between its batches
 * @param threads frames decoded at once
 * @param reason what the layout was chosen from, for logs and {@code --print-config}
 */
public record DecodePlan(DecodeLayout layout, int threads, String reason) {

    public DecodePlan {
        Objects.requireNonNull(layout, "layout");
        if (layout == DecodeLayout.AUTO) {
            throw new IllegalArgumentException("a plan has a resolved layout, not auto");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("decode threads must be at least 1, got " + threads);
        }
    }

    /** Whether decoding waits for model runs ({@link CpuGate}). */
    public boolean takesTurns() {
        return layout == DecodeLayout.BETWEEN_BATCHES;
    }

    /** One line: {@code between-batches, 2 decode threads (auto: inference on the CPU with …)}. */
    public String describe() {
        return layout.configName() + ", " + threads + " decode thread" + (threads == 1 ? "" : "s") + " (" + reason + ")";
    }
}
