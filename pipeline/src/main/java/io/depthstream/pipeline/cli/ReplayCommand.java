package io.depthstream.pipeline.cli;

import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.pipeline.job.TopicProvisioner;
import io.depthstream.pipeline.job.TopicSpec;
import io.depthstream.pipeline.job.TopicStatus;
import io.depthstream.pipeline.replay.KittiReplay;
import io.depthstream.pipeline.replay.ReplayDrive;
import io.depthstream.pipeline.replay.ReplayListener;
import io.depthstream.pipeline.replay.ReplayOptions;
import io.depthstream.pipeline.replay.ReplaySummary;
import io.depthstream.operators.codec.WireFormat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import io.depthstream.pipeline.kafka.KafkaClientProperties;
import io.depthstream.pipeline.kafka.KafkaErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code depthstream replay}: streams KITTI raw drives onto Kafka's {@code frames} topic as live cameras. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Replay KITTI raw drives onto Kafka as live cameras (the frames topic).",
            "",
            "Reads drives from --data (KITTI's .zip archives and/or extracted folders,",
            "real or written by `depthstream synth`) without unpacking them. Each drive",
            "streams as one camera: key = camera id, value = the PNG as stored,",
            "ds.seq = frame index, ds.intrinsics = P_rect_02 (or P_rect_03 for --side r)",
            "of the date's calibration, record timestamp = the drive's timestamps.txt",
            "(read as UTC; 10 Hz from midnight of the drive's date when absent).",
            "Several drives stream side by side. The topic is created when missing.",
            "Ctrl-C stops after flushing what was sent; a summary goes to stdout.",
            "The topic check and the producer take the Kafka client properties of",
            "--kafka-config and --kafka-property (TLS, SASL; docs/DEPLOY.md, \"Secured",
            "Kafka\"); a refused connection is one line naming the cause."
        })
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers.")
    String bootstrap;

    @Mixin
    KafkaClientOptions kafkaClient = new KafkaClientOptions();

    @Option(names = "--data", required = true, paramLabel = "ROOT",
            description = "KITTI raw root folder: archives and/or extracted date folders, calibration included.")
    Path data;

    @Option(names = "--drive", split = ",", paramLabel = "DRIVE",
            description = "Drive(s) to replay, e.g. 2011_09_26_drive_0001_sync (repeatable or comma-separated;"
                    + " default: every drive under ROOT).")
    List<String> driveNames = new ArrayList<>();

    @Option(names = "--camera-id", paramLabel = "ID",
            description = "Camera id of a single replayed drive (default: the drive's folder name, with -r for"
                    + " --side r).")
    String cameraId;

    @Option(names = "--rate", defaultValue = "10", paramLabel = "HZ|max",
            description = "Frames per second per camera, or max (default: ${DEFAULT-VALUE}, KITTI's capture rate,"
                    + " so the stream behaves like a live camera).")
    String rate;

    @Option(names = "--loop", description = "Start over after the last frame, with increasing seq and timestamps,"
            + " until Ctrl-C.")
    boolean loop;

    @Option(names = "--clock", defaultValue = "live", paramLabel = "live|recorded",
            description = "Record timestamps: live (default) stamps them as cameras streaming together would: "
                    + "each frame with the moment it is sent at --rate (as fast as possible: each drive moved to start "
                    + "now, the recorded spacing kept); recorded keeps timestamps.txt's "
                    + "times. The streaming job's event time is shared by all cameras, so drives recorded at "
                    + "different times need live. A broker's time retention (retention.ms, 7 days by default) counts "
                    + "from record timestamps, so it deletes recorded-clock frames soon after they arrive: use "
                    + "recorded only on topics with retention.ms=-1.")
    String clock;

    @Option(names = "--topic", defaultValue = WireFormat.FRAMES_TOPIC, paramLabel = "TOPIC",
            description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--side", defaultValue = "l", paramLabel = "l|r",
            description = "Camera: l = image_02 (left colour), r = image_03 (right colour) (default: ${DEFAULT-VALUE}).")
    String side;

    @Option(names = "--partitions", defaultValue = "4", paramLabel = "N",
            description = "Partitions of the topic if it has to be created (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--timeout", defaultValue = "15", paramLabel = "SECONDS",
            description = "How long to wait for the broker (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        double rateHz = parseRate(rate);
        KittiCamera camera = KittiCamera.ofSide(side);
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        if (!Files.exists(data)) {
            throw new IllegalArgumentException("--data " + data + " does not exist");
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        KafkaClientProperties properties = kafkaClient.checkedProperties();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        try (KittiRawArchive archive = KittiRawArchive.open(data)) {
            List<ReplayDrive> drives = selectDrives(archive, camera);
            KittiReplay replay = KittiReplay.prepare(archive, drives, new ReplayOptions(topic, rateHz, loop,
                    liveClock(clock)));
            prepareTopic(properties, timeout, err);
            for (ReplayDrive drive : replay.drives()) {
                err.printf(Locale.ROOT, "replay %s %s (%d frames) as camera %s%n", drive.drive(),
                        drive.camera().folder(), replay.frames(drive), drive.cameraId());
            }
            err.flush();
            return replayUntilDoneOrStopped(replay, properties, timeout, err, out);
        }
    }

    private int replayUntilDoneOrStopped(KittiReplay replay, KafkaClientProperties properties, Duration timeout,
                                         PrintWriter err, PrintWriter out) {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C: ask the replay to stop, then hold the JVM until it has flushed and printed its summary
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(timeout.toSeconds() + 30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "replay-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            ProgressListener progress = new ProgressListener(err, loop);
            ReplaySummary summary = replay.run(bootstrap, properties, timeout, stop::get, progress);
            progress.finish();
            out.printf(Locale.ROOT, "%s %s from %d drive%s onto %s at %s%n", summary.stopped() ? "stopped after"
                    : "replayed", summary.describe(), replay.drives().size(), replay.drives().size() == 1 ? "" : "s",
                    topic, bootstrap);
            out.flush();
            return 0;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the replay has finished
            }
        }
    }

    private List<ReplayDrive> selectDrives(KittiRawArchive archive, KittiCamera camera) {
        List<KittiDrive> available = archive.drives();
        if (available.isEmpty()) {
            throw new IllegalArgumentException("no KITTI drives under " + data
                    + " (expected YYYY_MM_DD_drive_NNNN_sync.zip archives or YYYY_MM_DD/YYYY_MM_DD_drive_NNNN_sync/"
                    + " folders)");
        }
        List<KittiDrive> chosen = new ArrayList<>();
        if (driveNames.isEmpty()) {
            chosen.addAll(available);
        } else {
            for (String name : driveNames) {
                KittiDrive drive;
                try {
                    drive = name.contains("/") ? KittiDrive.parse(name.strip()) : KittiDrive.ofName(name.strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad --drive '" + name + "': expected a drive folder such as"
                            + " 2011_09_26_drive_0001_sync");
                }
                if (!archive.hasDrive(drive)) {
                    throw new IllegalArgumentException("unknown drive " + drive.name() + " under " + data
                            + "; drives there: " + available.stream().map(KittiDrive::name).toList());
                }
                if (!chosen.contains(drive)) {
                    chosen.add(drive);
                }
            }
        }
        if (cameraId != null) {
            if (chosen.size() != 1) {
                throw new IllegalArgumentException("--camera-id names one camera, but " + chosen.size()
                        + " drives would be replayed: choose one with --drive");
            }
            return List.of(new ReplayDrive(chosen.get(0), camera, cameraId));
        }
        return chosen.stream().map(drive -> ReplayDrive.of(drive, camera)).toList();
    }

    /** Fails in one line when the broker cannot be reached; creates the topic when missing. */
    private void prepareTopic(KafkaClientProperties properties, Duration timeout, PrintWriter err) {
        Map<String, Object> config = properties.admin(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()));
        try (Admin admin = Admin.create(config)) {
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).nodes()
                        .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                String problem = KafkaErrors.securityProblem(e, bootstrap, properties);
                throw new IllegalStateException(problem != null ? problem
                        : "cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while connecting to Kafka at " + bootstrap, e);
            }
            TopicStatus status;
            try {
                status = new TopicProvisioner(admin, timeout).ensure(List.of(TopicSpec.of(topic, partitions))).get(0);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(KafkaErrors.describe("cannot create topic " + topic, e, bootstrap,
                        properties), e);
            }
            if (status.created()) {
                err.printf(Locale.ROOT, "created topic %s (%d partitions)%n", topic, status.partitions());
            }
            if (!status.ok()) {
                err.println("warning: " + status.problem() + "; larger frames will be refused");
            }
            err.flush();
        }
    }

    static boolean liveClock(String clock) {
        if (clock.equalsIgnoreCase("live")) {
            return true;
        }
        if (clock.equalsIgnoreCase("recorded")) {
            return false;
        }
        throw new IllegalArgumentException("bad --clock '" + clock + "': expected live or recorded");
    }

    static double parseRate(String rate) {
        if (rate.equalsIgnoreCase("max")) {
            return Double.POSITIVE_INFINITY;
        }
        double hz;
        try {
            hz = Double.parseDouble(rate);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad --rate '" + rate + "': expected frames per second or max");
        }
        if (!(hz > 0) || Double.isInfinite(hz)) {
            throw new IllegalArgumentException("bad --rate '" + rate + "': must be a positive number or max");
        }
        return hz;
    }

    /** A progress bar per pass on stderr. */
    private static final class ProgressListener implements ReplayListener {
        private final PrintWriter err;
        private final boolean loop;
        private ProgressBar bar;

        ProgressListener(PrintWriter err, boolean loop) {
            this.err = err;
            this.loop = loop;
        }

        @Override
        public void passStarted(int pass, long frames) {
            finish();
            bar = ProgressBar.of(loop ? "replay pass " + pass : "replay", "frames", frames, err);
        }

        @Override
        public void frameSent(ReplayDrive drive, long seq, long bytes) {
            bar.advance(1);
        }

        void finish() {
            if (bar != null) {
                bar.finish();
            }
        }
    }
}
