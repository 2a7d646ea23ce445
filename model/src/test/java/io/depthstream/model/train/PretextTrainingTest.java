package io.depthstream.model.train;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.depthstream.model.loss.PretextDistillationConfig;
import io.depthstream.model.loss.PretextDistillationLoss;
import io.depthstream.model.loss.PretextHead;
import io.depthstream.model.net.DepthModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.depthstream.model.train.TripletTrainingTest.LITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The depth-to-grayscale pretext term inside training, on a synthetic street triplet. */
class PretextTrainingTest {

    static final String TERM = PretextDistillationLoss.NAME;
    static final int STEPS = 20;

    @Test
    void theRunTrainsItsHeadAndLowersTheTerm() {
        TripletTrainingTest.render();
        LossConfig loss = LossConfig.monodepth2().withPretext(PretextDistillationConfig.tripleDNet());
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 5)) {
            TrainingStep training = new TrainingStep(model, TrainingConfig.monodepth2(3).withLoss(loss)
                    .withAugmentation(false).withLearningRate(1e-3));
            PretextHead head = training.pretextHead();
            assertThat(head).isNotNull();
            List<Parameter> headParameters = head.trainableParameters();
            assertThat(headParameters).isNotEmpty();
            assertThat(training.parameters()).containsAll(headParameters);
            // the head is the run's: none of its parameters is one of the model's
            assertThat(model.depthNet().getParameters().values()).doesNotContainAnyElementsOf(headParameters);
            List<float[]> before = values(headParameters);

            List<TrainingSample> batch = List.of(TripletTrainingTest.sample, TripletTrainingTest.sample);
            double[] term = new double[STEPS];
            for (int i = 0; i < term.length; i++) {
                StepResult result = training.step(batch);
                assertThat(result.applied()).isTrue();
                LossReport report = result.report();
                term[i] = report.term(TERM);
                assertThat(report.terms()).containsOnlyKeys("total", "photometric", "smoothness", TERM);
                assertThat(term[i]).isPositive().isFinite();
                assertThat(report.total()).isCloseTo(report.term("photometric") + report.term("smoothness")
                        + term[i], within(1e-5));
                if (i == 0) {
                    List<float[]> after = values(headParameters);
                    for (int p = 0; p < before.size(); p++) {
                        assertThat(after.get(p)).as("head parameter %d after one step", p)
                                .isNotEqualTo(before.get(p));
                    }
                }
            }
            double initial = Arrays.stream(term, 0, 3).average().orElseThrow();
            double last = Arrays.stream(term, term.length - 3, term.length).average().orElseThrow();
            assertThat(last).as(Arrays.toString(term)).isLessThan(0.8 * initial);

            // the run's own objective measures it with the trained head's running statistics
            LossReport measured = training.objective().measure(model, List.of(TripletTrainingTest.sample));
            assertThat(measured.term(TERM)).isPositive().isFinite();
        }
    }

    @Test
    void anObjectiveWithoutTheRunsHeadRefusesTheTerm() {
        LossConfig loss = LossConfig.monodepth2().withPretext(PretextDistillationConfig.tripleDNet());
        assertThatThrownBy(() -> new SelfSupervisedObjective(loss, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pretext head");
    }

    @Test
    void lossConfigDefaultsLeaveBothNewTermsOff() {
        LossConfig defaults = LossConfig.monodepth2();
        assertThat(defaults.differentialTriplet()).isNull();
        assertThat(defaults.pretext()).isNull();
        assertThat(defaults.hasTriplet()).isFalse();
        assertThat(TrainingConfig.monodepth2(1).loss()).isEqualTo(defaults);
        LossConfig both = defaults.withDifferentialTriplet(
                io.depthstream.model.loss.DifferentialTripletConfig.selfSupervised())
                .withPretext(PretextDistillationConfig.tripleDNet());
        assertThat(both.hasTriplet()).isTrue();
        assertThat(both.hasBoundaryTriplet()).isFalse();
        // "without triplet" removes every triplet term but leaves the pretext term
        assertThat(both.withoutTriplet()).isEqualTo(defaults.withPretext(PretextDistillationConfig.tripleDNet()));
    }

    static List<float[]> values(List<Parameter> parameters) {
        List<float[]> values = new ArrayList<>();
        for (Parameter parameter : parameters) {
            values.add(parameter.getArray().toFloatArray());
        }
        return values;
    }
}
