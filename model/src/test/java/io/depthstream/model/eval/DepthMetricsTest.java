package io.depthstream.model.eval;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DepthMetricsTest {

    @Test
    void handComputedPair() {
        // gt {2, 4}, pred {1, 5}: |diff| = 1 each; ratios 2 and 1.25 (1.25 is not < 1.25).
        DepthMetrics m = DepthMetrics.of(new double[] {2, 4}, new double[] {1, 5});

        assertThat(m.absRel()).isCloseTo(0.375, within(1e-15));
        assertThat(m.sqRel()).isCloseTo(0.375, within(1e-15));
        assertThat(m.rmse()).isCloseTo(1.0, within(1e-15));
        assertThat(m.rmseLog()).isCloseTo(0.5149009897112836, within(1e-15));
        assertThat(m.delta1()).isEqualTo(0.0);
        assertThat(m.delta2()).isEqualTo(0.5);
        assertThat(m.delta3()).isEqualTo(0.5);
    }

    @Test
    void perfectPredictionHasNoError() {
        double[] gt = {1.5, 7.25, 30, 79.9};
        DepthMetrics m = DepthMetrics.of(gt, gt.clone());

        assertThat(m.toArray()).containsExactly(0, 0, 0, 0, 1, 1, 1);
    }

    @Test
    void theMeanIsTakenOverImages() {
        DepthMetricsMean mean = new DepthMetricsMean();
        mean.add(DepthMetrics.of(new double[] {2, 4}, new double[] {1, 5}));
        mean.add(DepthMetrics.of(new double[] {10}, new double[] {10}));

        DepthMetrics m = mean.mean();
        assertThat(mean.count()).isEqualTo(2);
        assertThat(m.absRel()).isCloseTo(0.1875, within(1e-15));
        assertThat(m.rmse()).isCloseTo(0.5, within(1e-15));
        assertThat(m.delta1()).isEqualTo(0.5);
        assertThat(m.delta2()).isEqualTo(0.75);
        assertThatThrownBy(() -> new DepthMetricsMean().mean()).isInstanceOf(IllegalStateException.class);
    }
}
