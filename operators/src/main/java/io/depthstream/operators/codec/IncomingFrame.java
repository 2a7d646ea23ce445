package io.depthstream.operators.codec;

import java.nio.charset.StandardCharsets;

/**
 * A frame record exactly as read from Kafka, before any validation: what {@link FrameDeserializer} hands to
 * {@link FrameDecoder}, which either decodes it into a {@link Frame} or rejects it with its original bytes intact.
 *
 * @param key record key bytes (the camera id, UTF-8), or null
 * @param value record value bytes (PNG or JPEG), or null
 * @param headers record headers in wire order
 * @param timestampMs record timestamp, epoch milliseconds (negative when the record has none)
 * @param topic topic the record was read from
 * @param partition partition the record was read from
 * @param offset offset of the record in its partition
 * @param receivedAtMs wall-clock time the record was read, epoch milliseconds
 */
public record IncomingFrame(
        byte[] key,
        byte[] value,
        WireHeader[] headers,
        long timestampMs,
        String topic,
        int partition,
        long offset,
        long receivedAtMs) {

    public IncomingFrame {
        headers = headers == null ? new WireHeader[0] : headers;
    }

    /** The value of the last header called {@code name} (Kafka's convention for repeated headers), or null. */
    public byte[] lastHeader(String name) {
        for (int i = headers.length - 1; i >= 0; i--) {
            if (headers[i].name().equals(name)) {
                return headers[i].value();
            }
        }
        return null;
    }

    /** True when at least one header is called {@code name}. */
    public boolean hasHeader(String name) {
        for (WireHeader header : headers) {
            if (header.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Where the record came from, as {@code topic/partition/offset}. */
    public String source() {
        return topic + "/" + partition + "/" + offset;
    }

    /** The header value as UTF-8 text, for error messages and parsing. */
    static String text(byte[] value) {
        return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    }

    /**
     * Untrusted text as it may appear in a one-line reason: at most {@code max} characters (then "…"), control and
     * other invisible characters (line breaks, NUL, U+FFFD for undecodable bytes) written as {@code \\uXXXX}.
     */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder();
        int end = Math.min(text.length(), max);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            boolean invisible = Character.isISOControl(c) || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT || c == '\uFFFD';
            out.append(invisible ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return text.length() <= max ? out.toString() : out + "…";
    }
}
