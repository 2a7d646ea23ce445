package io.depthstream.pipeline.embedded;

import java.util.List;

/**
 * What the streaming job wrote, as read back from its output topics with {@code read_committed}.
 *
 * @param depth depth records in the order read
 * @param poses pose JSON documents in the order read
 * @param rejected dead-letter records: their {@code ds.error} reasons
 */
public record OutputRecords(List<DepthRecord> depth, List<String> poses, List<String> rejected) {

    /**
     * One record of the depth topic.
     *
     * @param cameraId the record key
     * @param seq {@code ds.seq}
     * @param modelVersion {@code ds.model-version}
     * @param scale {@code ds.scale}
     * @param latencyMs {@code ds.latency-ms}
     * @param png the 16-bit depth PNG (depth × 256)
     * @param stages {@code ds.stages}: JSON of where the time went, or "{}" when absent
     * @param captureTimeMs the record timestamp: the frame's capture time
     */
    public record DepthRecord(String cameraId, long seq, String modelVersion, String scale, long latencyMs,
            byte[] png, String stages, long captureTimeMs) {}
}
