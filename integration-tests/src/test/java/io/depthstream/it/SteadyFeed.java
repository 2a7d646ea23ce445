package io.depthstream.it;

import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.codec.WireFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Puts frames of several cameras onto the frames topic at a steady rate, on a thread of its own, the way live cameras
 * do: frame i goes to camera i mod C with sequence number i / C and the wall clock as capture time. The images are
 * a few PNGs encoded once and cycled, so producing costs next to nothing beside the job under test.
 *
 * <p>The feed sends {@code primeFrames} first and then waits for {@link #release()}: a test lets the job start up on
 * those, so the steady part is not read as one backlog that queues inside the job. It never runs more than
 * {@code maxAhead} frames ahead of the depth results the job has written (counted uncommitted, as they are written):
 * on a machine too busy for the rate it slows down instead of piling frames up inside the job, where their waiting
 * would be read as latency.
 */
final class SteadyFeed implements AutoCloseable {

    /** One camera's id, intrinsics (pixels of its PNGs) and the PNGs it cycles through. */
    record Camera(String id, Intrinsics intrinsics, List<byte[]> pngs) {}

    private final List<Camera> cameras;
    private final FrameRecordEncoder encoder;
    private final long periodNanos;
    private final long totalFrames;
    private final long primeFrames;
    private final long maxAhead;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> progress;
    private long written;
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong maxBehindNanos = new AtomicLong();
    private final AtomicLong heldBackNanos = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * A feed of {@code totalFrames} frames (all cameras together) at {@code framesPerSecond} onto {@code topic},
     * at most {@code maxAhead} frames ahead of the records on {@code resultTopic}; not started yet.
     */
    SteadyFeed(String bootstrap, String topic, String resultTopic, List<Camera> cameras, double framesPerSecond,
            long totalFrames, long primeFrames, long maxAhead) {
        this.cameras = List.copyOf(cameras);
        this.encoder = new FrameRecordEncoder(topic);
        this.periodNanos = Math.round(1e9 / framesPerSecond);
        this.totalFrames = totalFrames;
        this.primeFrames = Math.min(primeFrames, totalFrames);
        this.maxAhead = maxAhead;
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WireFormat.MAX_RECORD_BYTES);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        // a camera's frame goes out when it is taken, not batched with the next ones
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        Properties consumer = new Properties();
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "steady-feed-" + UUID.randomUUID());
        // results count as soon as they are written, not one checkpoint later when committed
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, WireFormat.MAX_RECORD_BYTES);
        this.progress = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        progress.subscribe(List.of(resultTopic));
        this.thread = new Thread(this::run, "steady-feed");
        thread.setDaemon(true);
    }

    /** Starts sending: the prime frames at once, the rest at the steady rate after {@link #release()}. */
    SteadyFeed start() {
        thread.start();
        return this;
    }

    /** Lets the steady part begin. */
    void release() {
        released.countDown();
    }

    /** Frames handed to the producer so far. */
    long sent() {
        return sent.get();
    }

    /** The sequence number every camera's next frame will get (frames below it were sent or are being sent). */
    long nextSeq() {
        return (sent.get() + cameras.size() - 1) / cameras.size();
    }

    /** How far, at worst, a frame went out after its slot in the schedule (the producer falling behind). */
    Duration maxBehind() {
        return Duration.ofNanos(maxBehindNanos.get());
    }

    /** How long, in all, the feed held frames back because the job had not caught up with {@code maxAhead}. */
    Duration heldBack() {
        return Duration.ofNanos(heldBackNanos.get());
    }

    /** Waits until every frame is sent and acknowledged; fails with the feed's own error if it had one. */
    void awaitDone(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        Throwable error = failure.get();
        if (error != null) {
            throw new IllegalStateException("the feed failed: " + error, error);
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("the feed sent " + sent() + " of " + totalFrames + " frames in " + timeout);
        }
    }

    private void run() {
        try {
            for (long i = 0; i < primeFrames && !stopped; i++) {
                send(i);
            }
            producer.flush();
            while (!released.await(100, TimeUnit.MILLISECONDS)) {
                if (stopped) {
                    return;
                }
            }
            long start = System.nanoTime();
            for (long i = primeFrames; i < totalFrames && !stopped; i++) {
                long due = start + (i - primeFrames) * periodNanos;
                waitFor(i, due);
                maxBehindNanos.accumulateAndGet(System.nanoTime() - due, Math::max);
                send(i);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.set(e);
        }
    }

    /** Counts results until frame {@code i}'s slot has come and the job is less than {@code maxAhead} behind it. */
    private void waitFor(long i, long dueNanos) {
        while (!stopped) {
            long now = System.nanoTime();
            boolean ahead = i - written >= maxAhead;
            if (!ahead && now >= dueNanos) {
                return;
            }
            long waitMs = ahead ? 10 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(dueNanos - now));
            // poll returns as soon as results come, so the wait ends on time either way
            written += progress.poll(Duration.ofMillis(waitMs)).count();
            if (ahead) {
                heldBackNanos.addAndGet(System.nanoTime() - now);
            }
        }
    }

    private void send(long i) {
        Camera camera = cameras.get((int) (i % cameras.size()));
        long seq = i / cameras.size();
        byte[] png = camera.pngs().get((int) (seq % camera.pngs().size()));
        producer.send(encoder.encode(camera.id(), seq, System.currentTimeMillis(), camera.intrinsics(), png, null),
                (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
        sent.incrementAndGet();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        released.countDown();
        thread.join(10_000);
        producer.close(Duration.ofSeconds(5));
        // the feed thread has ended (or was never started): the consumer is no longer in use
        progress.close(Duration.ofSeconds(5));
    }
}
