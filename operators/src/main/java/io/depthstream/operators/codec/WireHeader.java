package io.depthstream.operators.codec;

/**
 * One Kafka record header as it came off the wire.
 *
 * @param name header key
 * @param value header bytes, or null when the header carried no value
 */
public record WireHeader(String name, byte[] value) {

    public WireHeader {
        if (name == null) {
            throw new IllegalArgumentException("a header needs a name");
        }
    }
}
