package io.depthstream.operators.codec;

/**
 * A frame record that could not be decoded, kept byte for byte so it can go to the dead-letter topic.
 *
 * @param key the original key bytes, or null
 * @param value the original value bytes, or null
 * @param headers the original headers in wire order
 * @param timestampMs the original record timestamp (negative when it had none)
 * @param reason why it was rejected, one line
 * @param source where it came from, {@code topic/partition/offset}
 */
public record RejectedRecord(
        byte[] key, byte[] value, WireHeader[] headers, long timestampMs, String reason, String source) {

    /** Longest reason kept, so a pathological parser message cannot bloat the dead-letter record. */
    public static final int MAX_REASON_CHARS = 500;

    public RejectedRecord {
        headers = headers == null ? new WireHeader[0] : headers;
        reason = oneLine(reason);
        if (source == null) {
            throw new IllegalArgumentException("a rejected record needs its source");
        }
    }

    /** The rejection of {@code incoming} for {@code reason}. */
    public static RejectedRecord of(IncomingFrame incoming, String reason) {
        return new RejectedRecord(incoming.key(), incoming.value(), incoming.headers(), incoming.timestampMs(),
                reason, incoming.source());
    }

    private static String oneLine(String reason) {
        String text = reason == null || reason.isBlank() ? "rejected" : reason.strip()
                // every line or paragraph break and control character, not only \r and \n, would split the line
                .replaceAll("\\s*[\\p{Cc}\\p{Zl}\\p{Zp}]+\\s*", " ");
        return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS - 1) + "…";
    }
}
