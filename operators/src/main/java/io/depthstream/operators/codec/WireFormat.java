package io.depthstream.operators.codec;

/** Names on the Kafka wire: default topics and record headers (DESIGN.md, "Kafka wire format"). */
public final class WireFormat {

    /** Default topic of incoming camera frames (PNG or JPEG values, keyed by camera id). */
    public static final String FRAMES_TOPIC = "frames";
    /** Default topic of depth maps (16-bit PNG, depth × 256). */
    public static final String DEPTH_TOPIC = "depth";
    /** Default topic of poses (JSON). */
    public static final String POSES_TOPIC = "poses";
    /** Default topic of rejected frame records. */
    public static final String DLQ_TOPIC = "frames-dlq";
    /** Default topic announcing new model versions. */
    public static final String MODEL_UPDATES_TOPIC = "model-updates";

    /** Frame sequence number, decimal (required on frames). */
    public static final String SEQ = "ds.seq";
    /** Intrinsics JSON {"fx":…,"fy":…,"cx":…,"cy":…} in pixels of the frame (optional). */
    public static final String INTRINSICS = "ds.intrinsics";
    /** PNG of uint8 class ids for the semantic triplet loss (optional). */
    public static final String SEMANTIC = "ds.semantic";
    /** Model version that produced a result. */
    public static final String MODEL_VERSION = "ds.model-version";
    /** {@code relative} or {@code metric}. */
    public static final String SCALE = "ds.scale";
    /** Milliseconds from reading the frame to emitting its result. */
    public static final String LATENCY_MS = "ds.latency-ms";
    /**
     * Where a depth result's time went, JSON in milliseconds: {@code decode_ms}, {@code resize_ms}, {@code queue_ms}
     * (waiting for its batch), {@code inference_ms} (the whole batch), {@code batch} (its size), {@code encode_ms}
     * (this PNG) and {@code emitted_at_ms} (wall clock when the result left inference).
     */
    public static final String STAGES = "ds.stages";
    /** Why a record was rejected (on the dead-letter topic). */
    public static final String ERROR = "ds.error";
    /** topic/partition/offset a rejected record came from. */
    public static final String SOURCE = "ds.source";

    /**
     * Largest frame record the project's producers, topics and consumers accept together (Kafka's default is
     * 1 MB, too small for full-resolution PNGs).
     */
    public static final int MAX_RECORD_BYTES = 4 * 1024 * 1024 + 64 * 1024;

    private WireFormat() {}
}
