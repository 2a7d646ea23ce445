package io.depthstream.pipeline.replay;

import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDataException;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.pipeline.kafka.KafkaClientProperties;
import io.depthstream.pipeline.kafka.KafkaErrors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Replays KITTI raw drives (archives or extracted folders, real or synthetic) onto Kafka as live cameras, one
 * camera id per drive, in the {@code frames} wire format.
 *
 * <ul>
 *   <li>value: the frame's PNG exactly as stored (never re-encoded);</li>
 *   <li>{@code ds.seq}: the frame index from KITTI's file name;</li>
 *   <li>{@code ds.intrinsics}: {@code P_rect_02} (left) or {@code P_rect_03} (right) of the drive date's
 *       calibration, in pixels of the stored image;</li>
 *   <li>record timestamp: the camera's {@code timestamps.txt} line of the frame, read as UTC (KITTI writes local
 *       times without a zone; UTC makes the timestamps independent of the replaying machine), truncated to
 *       milliseconds; a drive without timestamps gets 10 Hz from midnight UTC of its date. With
 *       {@link ReplayOptions#liveClock()} a paced frame is stamped with the moment it is sent, as a live camera at
 *       the replay's rate stamps it (at KITTI's 10 Hz the recorded spacing, at other rates that rate's); unpaced,
 *       every drive's times are shifted so its first frame is stamped with the moment the replay starts.</li>
 * </ul>
 *
 * <p>Several drives stream side by side: each tick sends the next frame of every drive, like cameras recording at
 * the same time. When looping, each pass continues the sequence numbers and timestamps of the one before, so a
 * drive looks like one endless recording.
 */
public final class KittiReplay {

    private static final long DEFAULT_FRAME_INTERVAL_MS = 100;

    private final KittiRawArchive archive;
    private final List<DriveFrames> drives;
    private final ReplayOptions options;
    private final FrameRecordEncoder encoder;

    private KittiReplay(KittiRawArchive archive, List<DriveFrames> drives, ReplayOptions options) {
        this.archive = archive;
        this.drives = drives;
        this.options = options;
        this.encoder = new FrameRecordEncoder(options.topic());
    }

    /**
     * Prepares a replay of {@code drives} from {@code archive} (which must stay open while it runs): lists their
     * frames and reads their calibration and timestamps, so missing data fails here, before anything is sent.
     *
     * @throws KittiDataException when a drive, its frames of the chosen camera, its calibration or a frame's
     *     timestamp is missing, or two drives share a camera id
     */
    public static KittiReplay prepare(KittiRawArchive archive, List<ReplayDrive> drives, ReplayOptions options)
            throws IOException {
        if (drives.isEmpty()) {
            throw new IllegalArgumentException("nothing to replay: no drives given");
        }
        Map<String, ReplayDrive> ids = new HashMap<>();
        List<DriveFrames> frames = new ArrayList<>();
        for (ReplayDrive drive : drives) {
            ReplayDrive clash = ids.put(drive.cameraId(), drive);
            if (clash != null) {
                throw new IllegalArgumentException("drives " + clash.drive() + " and " + drive.drive()
                        + " would both stream as camera " + drive.cameraId());
            }
            frames.add(DriveFrames.read(archive, drive));
        }
        return new KittiReplay(archive, List.copyOf(frames), options);
    }

    /** The drives of {@code archive}, each as its default camera (see {@link ReplayDrive#of}). */
    public static List<ReplayDrive> allDrives(KittiRawArchive archive, KittiCamera camera) {
        return archive.drives().stream().map(drive -> ReplayDrive.of(drive, camera)).toList();
    }

    /**
     * The producer settings a replay needs: acknowledged by all in-sync replicas, idempotent (a retried send is
     * never duplicated or reordered), requests large enough for {@link WireFormat#MAX_RECORD_BYTES} frames, no
     * compression (PNGs do not compress), and {@code maxBlock} as the longest wait for the broker.
     */
    public static Map<String, Object> producerConfig(String bootstrapServers, Duration maxBlock) {
        return producerConfig(bootstrapServers, KafkaClientProperties.none(), maxBlock);
    }

    /** {@link #producerConfig(String, Duration)} over the user's client {@code properties} (security, tuning). */
    public static Map<String, Object> producerConfig(String bootstrapServers, KafkaClientProperties properties,
                                                     Duration maxBlock) {
        Map<String, Object> config = new HashMap<>(properties.producer(Map.of()));
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                (int) Math.max(maxBlock.toMillis(), 30_000) + 30_000);
        return config;
    }

    /** The drives replayed, in order. */
    public List<ReplayDrive> drives() {
        return drives.stream().map(d -> d.drive).toList();
    }

    /** Frames in one pass over all drives. */
    public long framesPerPass() {
        return drives.stream().mapToLong(d -> d.indices.size()).sum();
    }

    /** Frames of {@code drive} in one pass. */
    public int frames(ReplayDrive drive) {
        return drives.stream().filter(d -> d.drive.equals(drive)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(drive + " is not part of this replay")).indices.size();
    }

    /** The intrinsics sent with {@code drive}'s frames. */
    public Intrinsics intrinsics(ReplayDrive drive) {
        return drives.stream().filter(d -> d.drive.equals(drive)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(drive + " is not part of this replay")).intrinsics;
    }

    /**
     * Replays onto {@code bootstrapServers} with a producer of {@link #producerConfig}, closed at the end.
     *
     * @see #run(Producer, BooleanSupplier, ReplayListener)
     */
    public ReplaySummary run(String bootstrapServers, Duration maxBlock, BooleanSupplier stopRequested,
            ReplayListener listener) {
        return run(bootstrapServers, KafkaClientProperties.none(), maxBlock, stopRequested, listener);
    }

    /**
     * Replays onto {@code bootstrapServers} with a producer of {@link #producerConfig} taking the client
     * {@code properties}, closed at the end.
     *
     * @throws IllegalStateException in one line when the broker refuses the producer (credentials, TLS, ACLs)
     */
    public ReplaySummary run(String bootstrapServers, KafkaClientProperties properties, Duration maxBlock,
            BooleanSupplier stopRequested, ReplayListener listener) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(bootstrapServers, properties,
                maxBlock))) {
            return run(producer, stopRequested, listener);
        } catch (RuntimeException e) {
            String problem = KafkaErrors.securityProblem(e, bootstrapServers, properties);
            if (problem == null) {
                throw e;
            }
            throw new IllegalStateException(problem, e);
        }
    }

    /**
     * Sends the drives' frames through {@code producer} (left open), paced at the options' rate, until the last
     * frame (or, when looping, until {@code stopRequested} says so), then flushes. A stop request is honoured
     * between frames; what was sent is flushed before returning.
     *
     * @throws IllegalStateException when the broker refuses a frame or a frame cannot be read
     */
    public ReplaySummary run(Producer<byte[], byte[]> producer, BooleanSupplier stopRequested,
            ReplayListener listener) {
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong acknowledgedBytes = new AtomicLong();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        try {
            // the topic's metadata up front: the first frame is then not delayed, and a missing topic fails here
            producer.partitionsFor(options.topic());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot get the partitions of topic " + options.topic() + ": "
                    + e.getMessage(), e);
        }
        long start = System.nanoTime();
        long startMs = System.currentTimeMillis();
        long intervalNanos = options.paced() ? Math.round(1e9 / options.rateHz()) : 0;
        long nextTick = start;
        // paced with the live clock: every frame of a tick is stamped with the moment the tick fired
        long tickMs = startMs;
        int pass = 0;
        boolean stopped = false;
        try {
            replay:
            do {
                pass++;
                listener.passStarted(pass, framesPerPass());
                int longest = drives.stream().mapToInt(d -> d.indices.size()).max().orElse(0);
                for (int position = 0; position < longest; position++) {
                    if (options.paced()) {
                        if (!sleepUntil(nextTick, stopRequested)) {
                            stopped = true;
                            break replay;
                        }
                        nextTick += intervalNanos;
                        tickMs = System.currentTimeMillis();
                        // after a stall (a slow broker, a slow disk) go on at the rate instead of catching up in a
                        // burst, as a live camera would
                        nextTick = Math.max(nextTick, System.nanoTime());
                    }
                    for (DriveFrames drive : drives) {
                        if (position >= drive.indices.size()) {
                            continue;
                        }
                        if (stopRequested.getAsBoolean()) {
                            stopped = true;
                            break replay;
                        }
                        rethrow(failure);
                        long liveMs = options.paced() ? tickMs : startMs;
                        send(producer, drive, position, pass - 1, liveMs, acknowledged, acknowledgedBytes, failure,
                                listener);
                    }
                }
                if (options.loop() && stopRequested.getAsBoolean()) {
                    stopped = true;
                }
            } while (options.loop() && !stopped);
        } finally {
            producer.flush();
        }
        rethrow(failure);
        return new ReplaySummary(acknowledged.get(), acknowledgedBytes.get(), (System.nanoTime() - start) / 1e9, pass,
                stopped);
    }

    /**
     * Sends one frame; {@code liveMs} is, paced, the moment its tick fired, else the moment the replay started: with
     * the live clock a paced frame is stamped with it, an unpaced frame with the replay's start shifted by its
     * recorded offset.
     */
    private void send(Producer<byte[], byte[]> producer, DriveFrames drive, int position, int pass, long liveMs,
            AtomicLong acknowledged, AtomicLong acknowledgedBytes, AtomicReference<RuntimeException> failure,
            ReplayListener listener) {
        int index = drive.indices.get(position);
        long seq = index + (long) pass * drive.seqSpan;
        long recorded = drive.timesMs[position] + pass * drive.timeSpanMs;
        long timestamp;
        if (!options.liveClock()) {
            timestamp = recorded;
        } else if (options.paced()) {
            timestamp = liveMs;
        } else {
            timestamp = recorded + liveMs - drive.timesMs[0];
        }
        byte[] png;
        try {
            png = archive.imageBytes(drive.drive.drive(), index, drive.drive.camera());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read frame " + index + " of " + drive.drive.drive() + ": "
                    + e.getMessage(), e);
        }
        ProducerRecord<byte[], byte[]> record = encoder.encode(drive.drive.cameraId(), seq, timestamp,
                drive.intrinsics, png, null);
        String what = "frame " + index + " of " + drive.drive.drive() + " (camera " + drive.drive.cameraId() + ")";
        try {
            producer.send(record, (metadata, e) -> {
                if (e == null) {
                    acknowledged.incrementAndGet();
                    acknowledgedBytes.addAndGet(png.length);
                } else {
                    failure.compareAndSet(null,
                            new IllegalStateException("Kafka refused " + what + ": " + e.getMessage(), e));
                }
            });
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot send " + what + ": " + e.getMessage(), e);
        }
        listener.frameSent(drive.drive, seq, png.length);
    }

    private static void rethrow(AtomicReference<RuntimeException> failure) {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /** Waits until {@code deadline} (System.nanoTime), checking for a stop request; false when stopped. */
    private static boolean sleepUntil(long deadline, BooleanSupplier stopRequested) {
        while (true) {
            if (stopRequested.getAsBoolean()) {
                return false;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** One drive's frames in replay order with their capture times, read up front. */
    private static final class DriveFrames {
        final ReplayDrive drive;
        final List<Integer> indices;
        final long[] timesMs;
        final Intrinsics intrinsics;
        /** How much a pass advances the sequence numbers. */
        final long seqSpan;
        /** How much a pass advances the timestamps: the recording's length plus one frame interval. */
        final long timeSpanMs;

        private DriveFrames(ReplayDrive drive, List<Integer> indices, long[] timesMs, Intrinsics intrinsics) {
            this.drive = drive;
            this.indices = indices;
            this.timesMs = timesMs;
            this.intrinsics = intrinsics;
            int first = indices.get(0);
            int last = indices.get(indices.size() - 1);
            this.seqSpan = (long) last - first + 1;
            long length = timesMs[timesMs.length - 1] - timesMs[0];
            long interval = indices.size() > 1 && length > 0
                    ? Math.round(length / (double) (last - first)) : DEFAULT_FRAME_INTERVAL_MS;
            this.timeSpanMs = length + interval;
        }

        static DriveFrames read(KittiRawArchive archive, ReplayDrive replayed) throws IOException {
            KittiDrive drive = replayed.drive();
            KittiCamera camera = replayed.camera();
            if (!archive.hasDrive(drive)) {
                throw new KittiDataException("drive " + drive + " is not under " + archive.root() + " (drives there: "
                        + (archive.drives().isEmpty() ? "none" : archive.drives()) + ")");
            }
            List<Integer> indices = archive.frames(drive, camera);
            if (indices.isEmpty()) {
                throw new KittiDataException("drive " + drive + " has no " + camera.folder() + " frames under "
                        + archive.root());
            }
            Intrinsics intrinsics = archive.calibration(drive.date()).intrinsics(camera);
            long[] times = new long[indices.size()];
            Optional<List<LocalDateTime>> stamps = archive.timestamps(drive, camera);
            for (int i = 0; i < indices.size(); i++) {
                int index = indices.get(i);
                if (stamps.isPresent()) {
                    List<LocalDateTime> lines = stamps.get();
                    if (index >= lines.size()) {
                        throw new KittiDataException(drive + "/" + camera.folder() + "/timestamps.txt has "
                                + lines.size() + " lines, frame " + index + " needs line " + (index + 1));
                    }
                    times[i] = lines.get(index).toInstant(ZoneOffset.UTC).toEpochMilli();
                } else {
                    times[i] = startOfDay(drive) + index * DEFAULT_FRAME_INTERVAL_MS;
                }
            }
            return new DriveFrames(replayed, List.copyOf(indices), times, intrinsics);
        }

        private static long startOfDay(KittiDrive drive) {
            LocalDate date = LocalDate.parse(drive.date(), DateTimeFormatter.ofPattern("yyyy_MM_dd"));
            return date.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        }
    }
}
