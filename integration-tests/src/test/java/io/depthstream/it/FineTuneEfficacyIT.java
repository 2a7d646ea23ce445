package io.depthstream.it;

import ai.djl.Device;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.RenderedFrame;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.eval.EigenEvaluator;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.codec.FrameRecordEncoder;
import io.depthstream.operators.learner.LearnerOperator;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import io.depthstream.pipeline.job.StreamingJob;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Online fine-tuning improves depth in the streaming job: a random {@code lite} model served and fine-tuned by the job
 * on a real broker and MiniCluster while a synthetic drive with exact depth streams through it.
 *
 * <p>The drive is fed at the learner's pace: a frame is sent once the learner has taken the steps the frames before it
 * allow (with {@code replay: 4} and batches of 4, one step per training triplet). How many steps a learner gets per
 * frame at a fixed frame rate depends on the machine (on 2 CPU cores beside inference, a few times fewer than it
 * could use), and a test of learning must not.
 */
class FineTuneEfficacyIT {

    static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 192);
    static final int FRAMES = 160;

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void fineTuningARandomModelInTheStreamImprovesItsDepthClearly(@TempDir Path dir) throws Exception {
        SyntheticDrive drive = SyntheticDrive.generate(5, new DriveOptions(FRAMES, 384, 128, false, false));
        List<byte[]> pngs = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        List<DepthMap> depth = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            RenderedFrame frame = drive.render(i);
            pngs.add(frame.image().encodePng());
            inputs.add(ImageResizer.resize(frame.image(), LITE.width(), LITE.height()).toChwFloats());
            depth.add(frame.depth());
        }
        ModelStore store = new ModelStore(dir.resolve("models").toString());
        StreamingConfig config = config(dir, store);
        InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
        Configuration flink = reporter.addToConfiguration(StreamingJob.localConfiguration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
        StreamingJob.define(env, config);
        JobClient job = env.executeAsync(StreamingJob.NAME);
        FrameRecordEncoder encoder = new FrameRecordEncoder(config.kafka().topics().frames());
        long start = System.currentTimeMillis() - 100L * FRAMES;
        try (KafkaProducer<byte[], byte[]> producer = producer();
             DepthHeaders reader = new DepthHeaders(kafka.bootstrapServers(), config.kafka().topics().depth())) {
            for (int seq = 0; seq < FRAMES; seq++) {
                producer.send(encoder.encode("cam", seq, start + 100L * seq, drive.intrinsics(), pngs.get(seq), null))
                        .get();
                if (seq == 2) {
                    // the first triplet is complete: wait until the job runs and the learner has it, so that frames
                    // do not pile up in front of a learner that has not started
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                    while (gauge(reporter, job, "sampledTriplets") < 1) {
                        assertThat(System.nanoTime()).as("the learner's first triplet within 2 min")
                                .isLessThan(deadline);
                        Thread.sleep(50);
                    }
                }
                // each training triplet allows one step (4 uses, batches of 4); a few steps behind is in time
                awaitSteps(reporter, job, 2);
            }
            assertThat(reader.readAtLeast(FRAMES - 1, Duration.ofMinutes(2))).as("results for the drive").isTrue();
            awaitSteps(reporter, job, 0);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }

        List<PublishedVersion> versions = store.versions();
        assertThat(versions).as("v0 and published versions").hasSizeGreaterThan(2);
        PublishedVersion last = versions.get(versions.size() - 1);
        double heldOutFirst = versions.get(1).metrics().extra().get("serving_held_out_loss");
        double heldOutLast = last.metrics().heldOutLoss();
        double absRelFirst = absRel(store, 0, inputs, depth);
        double absRelLast = absRel(store, last.number(), inputs, depth);
        String seen = String.format(Locale.ROOT, "%d versions, last %s at step %d; held-out loss %.4f -> %.4f; abs_rel"
                + " %.3f -> %.3f", versions.size() - 1, last.name(), last.metrics().step(), heldOutFirst, heldOutLast,
                absRelFirst, absRelLast);
        System.out.println("FineTuneEfficacyIT: " + seen);
        assertThat(heldOutLast).as(seen).isLessThan(0.8 * heldOutFirst);
        assertThat(absRelLast).as(seen).isLessThan(0.75 * absRelFirst);
    }

    /** abs_rel (Eigen crop and range, median scaling) of store version {@code number} on every eighth frame. */
    private static double absRel(ModelStore store, int number, List<float[]> inputs, List<DepthMap> depth) {
        try (DepthModel model = store.load(number, Device.cpu())) {
            DepthPredictor predictor = new DepthPredictor(model);
            EigenEvaluator evaluator = EigenEvaluator.medianScaling();
            for (int i = 2; i < inputs.size(); i += 8) {
                float[] sigmoid = predictor.disparity(List.of(inputs.get(i)))[0];
                evaluator.add(EigenEvaluator.scaledDisparity(sigmoid, model.config().depthRange()), LITE.width(),
                        LITE.height(), depth.get(i));
            }
            return evaluator.report().metrics().absRel();
        }
    }

    /**
     * Waits until the learner's steps are at most {@code behind} short of the triplets it has been given for training
     * (its own gauges), or until it has taken no step for 3 s (a safeguard: a learner short of credit waits for the
     * next frame).
     */
    private static void awaitSteps(InMemoryReporter reporter, JobClient job, long behind) throws InterruptedException {
        double taken = gauge(reporter, job, "learnerSteps");
        long lastChange = System.nanoTime();
        while (taken < trainingTriplets(reporter, job) - behind
                && System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(3)) {
            Thread.sleep(50);
            double now = gauge(reporter, job, "learnerSteps");
            if (now != taken) {
                taken = now;
                lastChange = System.nanoTime();
            }
        }
    }

    private static double trainingTriplets(InMemoryReporter reporter, JobClient job) {
        return gauge(reporter, job, "sampledTriplets") - gauge(reporter, job, "heldOutTriplets");
    }

    /** The learner's gauge {@code name}, 0 before it is registered. */
    private static double gauge(InMemoryReporter reporter, JobClient job, String name) {
        List<OperatorMetricGroup> groups = reporter.findOperatorMetricGroups(job.getJobID(), LearnerOperator.UID);
        for (OperatorMetricGroup group : groups) {
            Metric metric = reporter.getMetricsByGroup(group).get(name);
            if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number value) {
                return value.doubleValue();
            }
        }
        return 0;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * A random lite model (seed 1) fine-tuned from an empty store with the settings docs/TRAINING.md recommends from
     * random weights (replay 4, a candidate every 10 steps), the learner training all the time on one thread;
     * parallelism 1, checkpoints every second, topics of its own.
     */
    private static StreamingConfig config(Path dir, ModelStore store) throws Exception {
        String prefix = "efficacy";
        StreamingConfig.FineTune d = StreamingConfig.FineTune.defaults();
        StreamingConfig config = StreamingConfig.defaults()
                .withModel(new StreamingConfig.Model(null, "random", "lite", LITE.height(), LITE.width(), 1, "cpu", 4,
                        50, null, "every-frame", 1000))
                .withTriplets(new StreamingConfig.Triplets(500, 10, 1000, 600_000))
                .withCheckpoints(new StreamingConfig.Checkpoints(1000,
                        Files.createDirectories(dir.resolve("checkpoints")).toUri().toString()))
                .withFineTune(new StreamingConfig.FineTune(true, store.uri(), d.sampleRate(), d.staticThreshold(),
                        d.learningRate(), d.batchSize(), d.bufferCapacity(), d.heldOutCapacity(), d.heldOutEvery(),
                        10, d.tolerance(), d.triplet(), "cpu", 1.0, d.threads(), d.automaskWarmup(), 4));
        config = config.withParallelism(1).withOwnTopics(kafka.bootstrapServers(), prefix, 1);
        assertThat(StreamingJob.ensureTopics(config, (short) 1, Duration.ofSeconds(30))).isEmpty();
        return config;
    }
}
