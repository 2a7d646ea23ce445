package io.depthstream.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.inference.FramePolicy;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.embedded.OutputReader;
import io.depthstream.pipeline.embedded.OutputRecords;
import io.depthstream.pipeline.embedded.Percentiles;
import io.depthstream.pipeline.embedded.ScratchDirectory;
import io.depthstream.pipeline.embedded.StoppingJobLogs;
import io.depthstream.pipeline.job.StreamingJob;
import io.depthstream.pipeline.replay.KittiReplay;
import io.depthstream.pipeline.replay.ReplayDrive;
import io.depthstream.pipeline.replay.ReplayListener;
import io.depthstream.pipeline.replay.ReplayOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The figure deployments are sized by: how many cameras at KITTI's 10 Hz the streaming job keeps up with on this
 * machine. Three runs of the job per model, each on a fresh in-process broker, after a warm-up whose results are not
 * counted:
 * <ol>
 *   <li><b>flat out:</b> every frame of 2 synthetic drives queued first; results per second between the first and
 *       the last result;</li>
 *   <li><b>every frame, paced:</b> the 2 drives replayed live at {@value #PACED_SHARE} of that rate; the lag of a
 *       result is the time from the replay sending its frame to the job emitting its result. The rate is sustained
 *       when the lag of the last third of the results is within {@value #LAG_GROWTH_MS} ms of the first third's
 *       (a rate the job cannot keep grows the lag with every frame). Cameras at 10 Hz = the sustained rate / 10
 *       (fractional: a camera served at a share of its rate);</li>
 *   <li><b>latest frame:</b> 2 cameras at 10 Hz for {@value #LIVE_SECONDS} s with {@code model.frame-policy:
 *       latest-frame}: the share of the frames sent that got a result, and the capture-to-result latency.</li>
 * </ol>
 */
public final class CapacityBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Share of the flat-out rate the every-frame paced run replays at. */
    static final double PACED_SHARE = 0.9;
    /** Lag growth from the first to the last third of the paced run beyond which the rate is not sustained. */
    static final long LAG_GROWTH_MS = 1000;
    /** Length of the latest-frame run. */
    static final long LIVE_SECONDS = 12;
    /** Cameras streamed side by side in every run. */
    static final int CAMERAS = 2;
    /** Frames per camera of the warm-up, whose results are not counted. */
    static final int WARM_UP_FRAMES = 4;
    /** Prefix of the warm-up cameras' ids. */
    private static final String WARM_UP = "warm-up-";

    /**
     * What one model sustained.
     *
     * @param arch architecture
     * @param width network input width
     * @param height network input height
     * @param decode the decode layout, as resolved here
     * @param flatOutFps results per second with every frame queued up front
     * @param pacedFps the rate of the paced every-frame run, frames per second over both cameras
     * @param lagFirstThirdMs median lag (frame sent → result emitted) of the paced run's first third of results
     * @param lagLastThirdMs the same for its last third
     * @param lagP99Ms 99th percentile of the paced run's lag
     * @param sustained whether the lag stayed bounded at the paced rate
     * @param camerasAt10Hz cameras at 10 Hz sustained with every frame inferred: the paced rate / 10 when sustained,
     *     else 0
     * @param liveSent frames sent in the latest-frame run (2 cameras at 10 Hz)
     * @param liveServed of those, frames that got a result
     * @param liveLatencyP50Ms median capture-to-result latency of the latest-frame run
     * @param liveLatencyP99Ms its 99th percentile
     */
    public record Figure(String arch, int width, int height, String decode, double flatOutFps, double pacedFps,
            double lagFirstThirdMs, double lagLastThirdMs, double lagP99Ms, boolean sustained, double camerasAt10Hz,
            long liveSent, long liveServed, double liveLatencyP50Ms, double liveLatencyP99Ms) {

        /** Share of the latest-frame run's frames that got a result. */
        public double liveServedShare() {
            return liveSent == 0 ? 0 : (double) liveServed / liveSent;
        }
    }

    private final int batch;
    private final int framesPerCamera;
    private final String decode;
    private final PrintWriter progress;

    /**
     * @param batch inference batch size
     * @param framesPerCamera frames per camera of the flat-out and paced runs
     * @param decode the job's {@code model.decode}
     */
    public CapacityBenchmark(int batch, int framesPerCamera, String decode, PrintWriter progress) {
        this.batch = batch;
        this.framesPerCamera = framesPerCamera;
        this.decode = decode;
        this.progress = progress;
    }

    /** Measures each model in turn on the same rendered drives. */
    public List<Figure> run(List<ModelConfig> models) throws Exception {
        List<Figure> figures = new ArrayList<>();
        try (ScratchDirectory scratch = ScratchDirectory.create("depthstream-bench-capacity-")) {
            Path drives = scratch.resolve("drives");
            Path warmUp = scratch.resolve("warm-up");
            progress.printf("  capacity: rendering %d x %d synthetic frames at 1242x375%n", CAMERAS,
                    framesPerCamera + WARM_UP_FRAMES);
            progress.flush();
            new SyntheticDriveWriter(7, CAMERAS, DriveOptions.kitti(framesPerCamera)).write(drives, (d, t) -> { });
            new SyntheticDriveWriter(8, CAMERAS, DriveOptions.kitti(WARM_UP_FRAMES)).write(warmUp, (d, t) -> { });
            for (ModelConfig model : models) {
                figures.add(measure(model, drives, warmUp, scratch));
            }
        }
        return figures;
    }

    private Figure measure(ModelConfig model, Path drives, Path warmUp, ScratchDirectory scratch) throws Exception {
        PipelineBenchmark pipeline = new PipelineBenchmark(model, batch, CAMERAS, framesPerCamera, 1, decode,
                progress);
        String name = model.architecture().configName() + " " + model.width() + "x" + model.height();
        double flatOut = pipeline.queuedRun(drives, scratch, " (capacity, flat out)").fps();
        progress.printf(Locale.ROOT, "  capacity %s: flat out %.2f frames/s%n", name, flatOut);
        progress.flush();

        double pacedFps = PACED_SHARE * flatOut;
        Live paced = live(pipeline, drives, warmUp, scratch, FramePolicy.EVERY_FRAME, pacedFps / CAMERAS, false);
        long[] lags = paced.lagsInOrder();
        int third = Math.max(1, lags.length / 3);
        double first = Percentiles.of(Arrays.copyOfRange(lags, 0, third), 50);
        double last = Percentiles.of(Arrays.copyOfRange(lags, lags.length - third, lags.length), 50);
        boolean sustained = paced.served() == paced.sent() && last - first <= LAG_GROWTH_MS;
        progress.printf(Locale.ROOT, "  capacity %s: every frame at %.2f frames/s: lag %.0f ms → %.0f ms (%s)%n",
                name, pacedFps, first, last, sustained ? "sustained" : "not sustained");
        progress.flush();

        Live latest = live(pipeline, drives, warmUp, scratch, FramePolicy.LATEST_FRAME,
                ReplayOptions.KITTI_RATE_HZ, true);
        progress.printf(Locale.ROOT, "  capacity %s: latest frame, %d cameras at 10 Hz: %d of %d frames served%n",
                name, CAMERAS, latest.served(), latest.sent());
        progress.flush();
        return new Figure(model.architecture().configName(), model.width(), model.height(),
                pipeline.decodePlan().describe(), flatOut, pacedFps, first, last, Percentiles.of(lags, 99), sustained,
                sustained ? pacedFps / ReplayOptions.KITTI_RATE_HZ : 0, latest.sent(), latest.served(),
                Percentiles.of(latest.latencyMs(), 50), Percentiles.of(latest.latencyMs(), 99));
    }

    /**
     * What a live run gave: frames sent, and per result served its lag (sent → emitted) in result order and its
     * capture-to-result latency.
     */
    private record Live(long sent, long[] lagsInOrder, long[] latencyMs) {

        long served() {
            return lagsInOrder.length;
        }
    }

    /**
     * One live run: the job starts on a fresh broker, the warm-up drives go through it (their results awaited, not
     * counted), then the drives are replayed at {@code rateHz} per camera with live timestamps, looping for
     * {@value #LIVE_SECONDS} s when {@code loopForLiveSeconds}, else once.
     */
    private Live live(PipelineBenchmark pipeline, Path drives, Path warmUp, ScratchDirectory scratch,
            FramePolicy policy, double rateHz, boolean loopForLiveSeconds) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            StreamingConfig streaming = pipeline.streamingConfig(kafka.bootstrapServers(), scratch, policy, null);
            StreamingJob.ensureTopics(streaming, (short) 1, Duration.ofSeconds(30));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1,
                    StreamingJob.localConfiguration());
            StreamingJob.define(env, streaming);
            JobClient job = env.executeAsync(StreamingJob.NAME);
            String frames = streaming.kafka().topics().frames();
            try (OutputReader reader = new OutputReader(kafka.bootstrapServers(), streaming.kafka().topics().depth(),
                    streaming.kafka().topics().poses(), streaming.kafka().topics().dlq())) {
                try (KittiRawArchive archive = KittiRawArchive.open(warmUp)) {
                    List<ReplayDrive> renamed = new ArrayList<>();
                    for (ReplayDrive drive : KittiReplay.allDrives(archive, KittiCamera.IMAGE_02)) {
                        renamed.add(new ReplayDrive(drive.drive(), drive.camera(), WARM_UP + drive.cameraId()));
                    }
                    KittiReplay.prepare(archive, renamed, new ReplayOptions(frames, Double.POSITIVE_INFINITY, false,
                                    true))
                            .run(kafka.bootstrapServers(), Duration.ofSeconds(30), () -> false, ReplayListener.NONE);
                }
                // each warm-up camera's newest frame gets its result under either policy
                awaitResults(reader, r -> r.cameraId().startsWith(WARM_UP) && r.seq() == WARM_UP_FRAMES - 1, CAMERAS,
                        Duration.ofMinutes(5), "warm-up results (each camera's last frame)");
                progress.printf(Locale.ROOT, "  capacity: %s at %.2f frames/s per camera%n", policy.configName(),
                        rateHz);
                progress.flush();
                Map<String, Long> sentAt = new ConcurrentHashMap<>();
                long sent;
                try (KittiRawArchive archive = KittiRawArchive.open(drives)) {
                    long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVE_SECONDS);
                    sent = KittiReplay.prepare(archive, KittiReplay.allDrives(archive, KittiCamera.IMAGE_02),
                                    new ReplayOptions(frames, rateHz, loopForLiveSeconds, true))
                            .run(kafka.bootstrapServers(), Duration.ofSeconds(30),
                                    () -> loopForLiveSeconds && System.nanoTime() >= stopAt,
                                    new ReplayListener() {
                                        @Override
                                        public void frameSent(ReplayDrive drive, long seq, long bytes) {
                                            sentAt.put(drive.cameraId() + "/" + seq, System.currentTimeMillis());
                                        }
                                    })
                            .frames();
                }
                OutputRecords out = policy == FramePolicy.EVERY_FRAME
                        ? awaitResults(reader, r -> !r.cameraId().startsWith(WARM_UP), sent, Duration.ofMinutes(10),
                                "results of the paced run")
                        // latest frame: each camera's newest frame is served last; nothing more comes once it has
                        : reader.drain(Duration.ofSeconds(5));
                StoppingJobLogs.quietDeclinedCheckpoints();
                job.cancel().get(1, TimeUnit.MINUTES);
                List<Long> lags = new ArrayList<>();
                List<Long> latencies = new ArrayList<>();
                for (OutputRecords.DepthRecord record : out.depth()) {
                    Long at = sentAt.get(record.cameraId() + "/" + record.seq());
                    if (record.cameraId().startsWith(WARM_UP) || at == null) {
                        continue;
                    }
                    long emitted = emittedAt(record);
                    lags.add(emitted - at);
                    latencies.add(emitted - record.captureTimeMs());
                }
                return new Live(sent, lags.stream().mapToLong(Long::longValue).toArray(),
                        latencies.stream().mapToLong(Long::longValue).toArray());
            }
        }
    }

    /**
     * Reads until {@code wanted} depth records match {@code which}.
     *
     * @throws IllegalStateException when they have not come within {@code timeout}
     */
    private static OutputRecords awaitResults(OutputReader reader, Predicate<OutputRecords.DepthRecord> which,
            long wanted, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OutputRecords out = reader.readUntil(Integer.MAX_VALUE, Duration.ofSeconds(1), n -> { });
            long matching = out.depth().stream().filter(which).count();
            if (matching >= wanted) {
                return out;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job produced " + matching + " of " + wanted + " " + what
                        + " within " + timeout.toMinutes() + " minutes");
            }
        }
    }

    private static long emittedAt(OutputRecords.DepthRecord record) throws IOException {
        JsonNode stages = JSON.readTree(record.stages());
        return stages.path("emitted_at_ms").asLong();
    }
}
