package io.depthstream.model.train;

import ai.djl.Device;
import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.RenderedFrame;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.loss.BoundarySource;
import io.depthstream.model.loss.IsolatedTripletConfig;
import io.depthstream.model.loss.SemanticTripletConfig;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The triplet terms inside training and the objective, on a synthetic street triplet with exact depth. */
class TripletTrainingTest {

    static final int H = 64;
    static final int W = 192;
    static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(H, W);
    static TrainingSample sample;
    static SemanticMap objects;

    @BeforeAll
    static void render() {
        SyntheticDrive drive = SyntheticDrive.generate(21, new DriveOptions(3, W, H, false, false));
        RenderedFrame[] frames = {drive.render(0), drive.render(1), drive.render(2)};
        objects = nearAndFar(frames[1].depth());
        sample = new TrainingSample(frames[0].image().toChwFloats(), frames[1].image().toChwFloats(),
                frames[2].image().toChwFloats(), drive.intrinsics(), objects);
    }

    /** Two objects from the exact depth: nearer than the median (class 1), the rest and the sky (class 0). */
    static SemanticMap nearAndFar(DepthMap depth) {
        float[] valid = new float[depth.depth().length];
        int n = 0;
        for (float d : depth.depth()) {
            if (d > 0) {
                valid[n++] = d;
            }
        }
        float[] sorted = Arrays.copyOf(valid, n);
        Arrays.sort(sorted);
        float median = sorted[n / 2];
        int[] classes = new int[depth.depth().length];
        for (int i = 0; i < classes.length; i++) {
            float d = depth.depth()[i];
            classes[i] = d > 0 && d < median ? 1 : 0;
        }
        return new SemanticMap(depth.width(), depth.height(), classes);
    }

    static final int STEPS = 30;

    @Test
    void trainingLowersTheTripletTermAndReportsItPerScale() {
        // δ = 1 instead of 0.1: with 0.1 the young network's photometric term dominates the first few dozen steps
        SemanticTripletConfig fsre = SemanticTripletConfig.fsre();
        LossConfig loss = LossConfig.monodepth2().withBoundarySource(BoundarySource.SEMANTIC).withSemanticTriplet(
                new SemanticTripletConfig(fsre.sampling(), fsre.margin(), 1.0, fsre.scales()));
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            TrainingStep training = new TrainingStep(model, TrainingConfig.monodepth2(3).withLoss(loss)
                    .withAugmentation(false).withLearningRate(1e-4));
            List<TrainingSample> batch = List.of(sample, sample);
            double[] term = new double[STEPS];
            for (int i = 0; i < term.length; i++) {
                StepResult result = training.step(batch);
                assertThat(result.applied()).isTrue();
                LossReport report = result.report();
                term[i] = report.term("triplet_fsre");
                assertThat(report.triplet()).extracting(TripletScaleReport::scale).containsExactly(3, 2, 1);
                assertThat(report.triplet()).allSatisfy(s -> assertThat(s.boundaryPixels()).isPositive());
                double weighted = 0;
                for (TripletScaleReport s : report.triplet()) {
                    weighted += s.loss() / Math.pow(2, s.scale());
                }
                assertThat(term[i]).isCloseTo(weighted, within(1e-6));
                assertThat(report.total()).isCloseTo(report.term("photometric") + report.term("smoothness")
                        + term[i], within(1e-5));
            }
            double initial = Arrays.stream(term, 0, 3).average().orElseThrow();
            double last = Arrays.stream(term, term.length - 3, term.length).average().orElseThrow();
            assertThat(initial).isPositive();
            assertThat(last).as("mean of the last 3 steps vs the first 3: %s", Arrays.toString(term))
                    .isLessThan(0.7 * initial);
        }
    }

    @Test
    void isolatedTermFallsWithTheMinOperatorAndTheSplitForm() {
        LossConfig loss = LossConfig.monodepth2().withIsolatedTriplet(IsolatedTripletConfig.edgeFattening())
                .withBoundarySource(BoundarySource.SEMANTIC);
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            TrainingStep training = new TrainingStep(model, TrainingConfig.monodepth2(3).withLoss(loss)
                    .withAugmentation(false).withLearningRate(5e-4));
            double[] term = new double[STEPS];
            for (int i = 0; i < term.length; i++) {
                term[i] = training.step(List.of(sample, sample)).report().term("triplet_isolated");
            }
            double initial = Arrays.stream(term, 0, 3).average().orElseThrow();
            double last = Arrays.stream(term, term.length - 3, term.length).average().orElseThrow();
            assertThat(last).as(Arrays.toString(term)).isLessThan(0.7 * initial);
        }
    }

    @Test
    void framesWithoutLabelsAddNothingToAMixedBatch() {
        LossConfig loss = LossConfig.monodepth2().withSemanticTriplet(SemanticTripletConfig.fsre())
                .withIsolatedTriplet(IsolatedTripletConfig.edgeFattening()).withBoundarySource(BoundarySource.SEMANTIC);
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            SelfSupervisedObjective objective = new SelfSupervisedObjective(loss.withDepthRange(LITE.depthRange()),
                    new java.util.Random(1));
            TrainingSample unlabelled = sample.withSemantic(null);
            // inference-mode batch norm: each frame's features are independent of the others in the batch (up to
            // float32 differences of batched convolutions)
            LossReport alone = objective.measure(model, List.of(sample));
            LossReport mixed = objective.measure(model, List.of(unlabelled, sample));
            LossReport none = objective.measure(model, List.of(unlabelled, unlabelled));

            assertThat(mixed.triplet()).hasSize(6);
            for (int i = 0; i < 6; i++) {
                TripletScaleReport a = alone.triplet().get(i);
                TripletScaleReport m = mixed.triplet().get(i);
                assertThat(m.boundaryPixels()).isEqualTo(a.boundaryPixels()).isPositive();
                assertThat(m.loss()).isCloseTo(a.loss(), within(1e-4 * a.loss()));
            }
            assertThat(none.triplet()).allSatisfy(s -> {
                assertThat(s.boundaryPixels()).isZero();
                assertThat(s.loss()).isZero();
            });
            assertThat(none.term("triplet_fsre")).isZero();
            assertThat(none.total()).isCloseTo(none.term("photometric") + none.term("smoothness"), within(1e-6));
        }
    }

    @Test
    void depthDerivedBoundariesNeedNoLabelsAndAreDeterministic() {
        LossConfig loss = LossConfig.monodepth2().withIsolatedTriplet(IsolatedTripletConfig.edgeFattening())
                .withBoundarySource(BoundarySource.DEPTH).withDepthRange(LITE.depthRange());
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            SelfSupervisedObjective objective = new SelfSupervisedObjective(loss, new java.util.Random(1));
            LossReport first = objective.measure(model, List.of(sample.withSemantic(null)));
            LossReport again = objective.measure(model, List.of(sample.withSemantic(null)));
            assertThat(first.triplet()).hasSize(3);
            assertThat(first.triplet().stream().mapToLong(TripletScaleReport::boundaryPixels).sum()).isPositive();
            assertThat(again.triplet()).isEqualTo(first.triplet());
            assertThat(first.term("triplet_isolated")).isPositive().isFinite();

            // auto: a frame with a map uses it, one without falls back to depth
            SelfSupervisedObjective auto = new SelfSupervisedObjective(
                    loss.withBoundarySource(BoundarySource.SEMANTIC_OR_DEPTH), new java.util.Random(1));
            LossReport semanticOnly = new SelfSupervisedObjective(
                    loss.withBoundarySource(BoundarySource.SEMANTIC), new java.util.Random(1))
                    .measure(model, List.of(sample));
            assertThat(auto.measure(model, List.of(sample)).triplet()).isEqualTo(semanticOnly.triplet());
            assertThat(auto.measure(model, List.of(sample.withSemantic(null))).triplet()).isEqualTo(first.triplet());
        }
    }
}
