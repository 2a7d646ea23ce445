package io.depthstream.pipeline.job;

/**
 * What {@link TopicProvisioner#ensure} found for one topic, after creating it if it was missing.
 *
 * @param name the topic
 * @param created whether this call created it
 * @param partitions its partitions now
 * @param maxMessageBytes its effective {@code max.message.bytes} now (its own setting or the broker's default)
 * @param problem why the topic cannot carry what its spec asks for (its record limit is too small), or null
 */
public record TopicStatus(String name, boolean created, int partitions, long maxMessageBytes, String problem) {

    /** Whether the topic carries what its spec asks for. */
    public boolean ok() {
        return problem == null;
    }
}
