package io.depthstream.pipeline.job;

import ai.djl.Device;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.Palette;
import io.depthstream.model.data.synth.RenderedFrame;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.eval.EigenEvaluator;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.model.online.OnlineLearner;
import io.depthstream.model.online.OnlineLearnerConfig;
import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.SelfSupervisedObjective;
import io.depthstream.model.train.TrainingConfig;
import io.depthstream.model.train.TrainingSample;
import io.depthstream.model.train.TrainingStep;
import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whether online fine-tuning improves depth: the learner the streaming job builds from its {@code fine-tune}
 * settings ({@link StreamingJob#learnerConfig}), fed a synthetic drive's triplets in stream order, with its regression
 * guard deciding what is published; depth judged against the drive's exact depth (Eigen crop and range, median
 * scaling) on every eighth frame.
 *
 * <p>The learner is stepped here whenever it can step, as a learner that keeps up with the stream: in a running job
 * the number of steps it gets per frame depends on the machine (on 2 CPU cores beside inference, a few times fewer),
 * and a test of learning must not depend on that.
 */
class FineTuneEfficacyTest {

    static final int H = 64;
    static final int W = 192;
    static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(H, W);

    /** The settings docs/FINE_TUNING.md recommends for a stream that starts from random weights. */
    static final String FROM_SCRATCH = """
            fine-tune:
              enabled: true
              store: /unused
              replay: 4
              evaluate-every: 10
            """;

    /** A drive rendered at twice the model's input size, as the model sees it, with its exact depth. */
    record Drive(List<float[]> inputs, List<DepthMap> depth, Intrinsics intrinsics) {

        static Drive render(long seed, int frames, Palette palette) {
            SyntheticDrive drive = SyntheticDrive.generate(seed,
                    new DriveOptions(frames, 2 * W, 2 * H, false, false).withPalette(palette));
            List<float[]> inputs = new ArrayList<>();
            List<DepthMap> depth = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
                RenderedFrame frame = drive.render(i);
                inputs.add(ImageResizer.resize(frame.image(), W, H).toChwFloats());
                depth.add(frame.depth());
            }
            return new Drive(inputs, depth, drive.intrinsics().rescaled(2 * W, 2 * H, W, H));
        }

        TrainingSample triplet(int centre) {
            return new TrainingSample(inputs.get(centre - 1), inputs.get(centre), inputs.get(centre + 1), intrinsics);
        }

        double absRel(DepthModel model) {
            DepthPredictor predictor = new DepthPredictor(model);
            EigenEvaluator evaluator = EigenEvaluator.medianScaling();
            for (int i = 2; i < inputs.size(); i += 8) {
                float[] sigmoid = predictor.disparity(List.of(inputs.get(i)))[0];
                evaluator.add(EigenEvaluator.scaledDisparity(sigmoid, model.config().depthRange()), W, H, depth.get(i));
            }
            return evaluator.report().metrics().absRel();
        }
    }

    /** What a fine-tuning run on a stream of {@code drive}'s triplets ended with. */
    record Run(long steps, long published, double heldOutBefore, double heldOutAfter, double absRelBefore,
               double absRelAfter) {

        String describe() {
            return String.format(Locale.ROOT, "%d steps, %d versions published; held-out loss %.4f -> %.4f; abs_rel"
                    + " %.3f -> %.3f", steps, published, heldOutBefore, heldOutAfter, absRelBefore, absRelAfter);
        }
    }

    /**
     * Streams {@code drive}'s triplets, in order, into a learner of {@code config} training {@code model}; {@code v0}
     * holds the start weights. The held-out losses of v0 and of the last published version are measured on the same
     * held-out triplets, the learner's at the end.
     */
    static Run fineTune(DepthModel model, DepthModel v0, OnlineLearnerConfig config, Drive drive) {
        try (OnlineLearner learner = new OnlineLearner(model, config)) {
            for (int centre = 1; centre < drive.inputs().size() - 1; centre++) {
                learner.offer(drive.triplet(centre));
                while (learner.step().isPresent()) {
                    if (learner.candidateDue()) {
                        learner.evaluateCandidate();
                    }
                }
            }
            // as the job ends: the steps since the last judgement are judged; the model then holds the serving weights
            learner.evaluateCandidate();
            List<TrainingSample> heldOut = learner.heldOut().snapshot();
            LossConfig photometric = LossConfig.of(config.loss().photometric()).withDepthRange(LITE.depthRange());
            SelfSupervisedObjective objective = new SelfSupervisedObjective(photometric, new Random(1));
            objective.reseed(1);
            double before = objective.measure(v0, heldOut).total();
            objective.reseed(1);
            double after = objective.measure(model, heldOut).total();
            return new Run(learner.metrics().steps(), learner.metrics().published(), before, after,
                    drive.absRel(v0), drive.absRel(model));
        }
    }

    @Test
    void fineTuningARandomModelOnTheStreamImprovesItsDepthClearly() {
        // 160 frames: 158 triplets, 1 in 10 held out, each training triplet used 4 times: about 140 steps of 4
        Drive drive = Drive.render(5, 160, Palette.STANDARD);
        StreamingConfig.FineTune settings = ConfigFiles.parse(FROM_SCRATCH).fineTune();
        OnlineLearnerConfig config = StreamingJob.learnerConfig(settings, false);
        assertThat(config.autoMaskWarmupSteps()).isEqualTo(OnlineLearnerConfig.FROM_SCRATCH_AUTOMASK_WARMUP);
        assertThat(config.learningRate()).isEqualTo(OnlineLearnerConfig.FROM_SCRATCH_LEARNING_RATE);

        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 1);
             DepthModel v0 = DepthModel.initialise(LITE, Device.cpu(), 1)) {
            Run run = fineTune(model, v0, config, drive);
            System.out.println("FineTuneEfficacyTest, from random weights: " + run.describe());

            assertThat(run.steps()).as(run.describe()).isGreaterThan(100);
            assertThat(run.heldOutAfter()).as(run.describe()).isLessThan(0.8 * run.heldOutBefore());
            // seen: abs_rel 0.445 -> about 0.26 (the untrained model is a constant depth: median scaling makes that
            // a strong baseline, which wrong structure does worse than)
            assertThat(run.absRelAfter()).as(run.describe()).isLessThan(0.75 * run.absRelBefore());
        }
    }

    @Test
    void fineTuningATrainedModelOnADifferentlyPaintedDriveLowersTheHeldOutLossWithoutRaisingAbsRel(
            @TempDir Path dir) {
        Path trained = dir.resolve("trained");
        // the trained model: 160 shuffled steps of 4 from random weights on a drive in the standard palette
        Drive home = Drive.render(3, 200, Palette.STANDARD);
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 2)) {
            TrainingStep training = new TrainingStep(model, TrainingConfig.monodepth2(2)
                    .withAutoMaskWarmup(OnlineLearnerConfig.FROM_SCRATCH_AUTOMASK_WARMUP));
            Random order = new Random(2);
            for (int step = 0; step < 160; step++) {
                List<TrainingSample> batch = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    batch.add(home.triplet(1 + order.nextInt(home.inputs().size() - 2)));
                }
                training.step(batch);
            }
            ModelWeights.save(model, trained, Map.of());
        }

        // another street, every surface in other colours
        Drive away = Drive.render(7, 160, Palette.ALTERNATE);
        StreamingConfig.FineTune settings = ConfigFiles.parse(FROM_SCRATCH).fineTune();
        OnlineLearnerConfig config = StreamingJob.learnerConfig(settings, true);
        assertThat(config.autoMaskWarmupSteps()).isZero();
        assertThat(config.learningRate()).isEqualTo(OnlineLearnerConfig.FINE_TUNE_LEARNING_RATE);
        try (DepthModel model = ModelWeights.load(trained, Device.cpu());
             DepthModel v0 = ModelWeights.load(trained, Device.cpu())) {
            Run run = fineTune(model, v0, config, away);
            System.out.println("FineTuneEfficacyTest, domain shift: " + run.describe());

            assertThat(run.published()).as(run.describe()).isPositive();
            assertThat(run.heldOutAfter()).as(run.describe()).isLessThan(run.heldOutBefore());
            assertThat(run.absRelAfter()).as(run.describe()).isLessThanOrEqualTo(run.absRelBefore());
        }
    }
}
