package io.depthstream.model.online;

import io.depthstream.model.train.LossConfig;
import io.depthstream.model.train.TrainingConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnlineLearnerConfigTest {

    static final LossConfig LOSS = LossConfig.monodepth2();

    @Test
    void learningRateDefaultsDependOnWhereTheWeightsComeFrom() {
        assertThat(OnlineLearnerConfig.fineTune(LOSS, 1).learningRate()).isEqualTo(1e-5);
        assertThat(OnlineLearnerConfig.fromScratch(LOSS, 1).learningRate()).isEqualTo(1e-4);
        assertThat(OnlineLearnerConfig.defaults(true, LOSS, 1).learningRate()).isEqualTo(1e-5);
        assertThat(OnlineLearnerConfig.defaults(false, LOSS, 1).learningRate()).isEqualTo(1e-4);

        TrainingConfig training = OnlineLearnerConfig.fineTune(LOSS, 7).trainingConfig();
        assertThat(training.learningRate()).isEqualTo(1e-5);
        assertThat(training.loss()).isEqualTo(LOSS);
        assertThat(training.seed()).isEqualTo(7);
        assertThat(training.beta1()).isEqualTo(0.9);
        assertThat(training.beta2()).isEqualTo(0.999);
    }

    @Test
    void theGuardAllowsTheToleratedRegressionAndNothingNonFinite() {
        OnlineLearnerConfig twoPercent = OnlineLearnerConfig.fineTune(LOSS, 1).withEvaluation(10, 0.02);
        assertThat(twoPercent.accepts(0.101, 0.1)).isTrue();
        assertThat(twoPercent.accepts(0.102, 0.1)).isTrue();
        assertThat(twoPercent.accepts(0.1021, 0.1)).isFalse();
        assertThat(twoPercent.accepts(Double.NaN, 0.1)).isFalse();
        assertThat(twoPercent.accepts(0.05, Double.NaN)).isFalse();
        assertThat(twoPercent.accepts(0.05, Double.POSITIVE_INFINITY)).isFalse();

        OnlineLearnerConfig demandsHalf = twoPercent.withEvaluation(10, -0.5);
        assertThat(demandsHalf.accepts(0.06, 0.1)).isFalse();
        assertThat(demandsHalf.accepts(0.05, 0.1)).isTrue();
    }

    @Test
    void invalidSettingsAreNamedWithTheirAllowedValues() {
        OnlineLearnerConfig base = OnlineLearnerConfig.fineTune(LOSS, 1);
        assertThatThrownBy(() -> base.withLearningRate(0))
                .hasMessage("learningRate must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> base.withLearningRate(Double.POSITIVE_INFINITY))
                .hasMessage("learningRate must be a finite number > 0, got Infinity");
        assertThatThrownBy(() -> base.withBatch(0, 8)).hasMessage("batchSize must be at least 1, got 0");
        assertThatThrownBy(() -> base.withBatch(4, 3))
                .hasMessage("bufferCapacity must be at least batchSize (4), got 3");
        assertThatThrownBy(() -> base.withHeldOut(0, 10)).hasMessage("heldOutCapacity must be at least 1, got 0");
        assertThatThrownBy(() -> base.withHeldOut(8, 1))
                .hasMessage("heldOutEvery must be at least 2 (1 would hold out every triplet), got 1");
        assertThatThrownBy(() -> base.withEvaluation(0, 0.02)).hasMessage("evaluateEvery must be at least 1, got 0");
        assertThatThrownBy(() -> base.withEvaluation(10, -1)).hasMessage("tolerance must lie in (-1, 1], got -1.0");
        assertThatThrownBy(() -> base.withEvaluation(10, Double.NaN))
                .hasMessage("tolerance must lie in (-1, 1], got NaN");
        assertThatThrownBy(() -> new OnlineLearnerConfig(null, 1e-5, 4, 64, 16, 10, 100, 0.02, true, 1))
                .hasMessage("loss is required");
    }
}
