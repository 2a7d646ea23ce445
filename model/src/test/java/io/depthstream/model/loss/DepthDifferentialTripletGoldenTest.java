package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.io.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Parity with a direct PyTorch implementation of MetricDepth's formulas (golden/differential/generate.py). */
class DepthDifferentialTripletGoldenTest {

    private static final List<Integer> SCALES = List.of(3, 2, 1);

    @ParameterizedTest
    @ValueSource(strings = {"gt_multirange", "gt_uniform_sum", "predicted_multirange"})
    void lossMatchesPyTorch(String name) throws Exception {
        DifferentialTripletConfig config = switch (name) {
            case "gt_multirange" -> DifferentialTripletConfig.metricDepthNyu();
            case "gt_uniform_sum" -> DifferentialTripletConfig.uniform(DepthReference.GROUND_TRUTH, 0.1, 0.5, 4)
                    .withReduction(DifferentialReduction.SUM);
            // the default self-supervised ranges and weight with the fixture's r_p of 0.02
            case "predicted_multirange" -> new DifferentialTripletConfig(DepthReference.PREDICTED, 0.02,
                    DifferentialTripletConfig.selfSupervised().negativeRanges(), 10, 4, SCALES,
                    DifferentialReduction.LABELLED_MEAN, 0.1);
            default -> throw new IllegalArgumentException(name);
        };
        double[] expected = read("result_" + name + ".npy").data();
        int ranges = config.negativeRanges().size();

        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> features = new ArrayList<>();
            List<List<SampleRoll>> rolls = new ArrayList<>();
            for (int s : SCALES) {
                features.add(array(manager, "feature_s" + s + ".npy"));
                rolls.add(rolls("rolls_s" + s + ".npy"));
            }
            NDArray reference = array(manager, name.startsWith("predicted") ? "predicted.npy" : "reference.npy");

            DifferentialTripletResult result = new DepthDifferentialTripletLoss(config, new Random(0))
                    .compute(features, reference, rolls);

            assertRelative("total", result.total().getDouble(), expected[0]);
            for (int k = 0; k < SCALES.size(); k++) {
                assertRelative("L_re scale " + SCALES.get(k), result.perScale().get(k).getDouble(), expected[1 + k]);
                assertThat(result.positives().get(k).getDouble()).as("positives %d", k).isEqualTo(expected[4 + k]);
                double[] negatives = result.negatives().get(k).toDoubleArray();
                for (int j = 0; j < ranges; j++) {
                    assertThat(negatives[j]).as("negatives scale %d range %d", k, j)
                            .isEqualTo(expected[7 + k * ranges + j]);
                }
            }
            // the fixture is not degenerate: every scale has positives and negatives
            for (int k = 0; k < SCALES.size(); k++) {
                assertThat(expected[4 + k]).isPositive();
                assertThat(result.negatives().get(k).sum().getDouble()).isPositive();
            }
        }
    }

    private static void assertRelative(String what, double actual, double expected) {
        assertThat(actual).as(what).isCloseTo(expected, within(1e-5 * Math.abs(expected)));
    }

    private static List<SampleRoll> rolls(String file) throws URISyntaxException {
        Npy npy = read(file);
        List<SampleRoll> rolls = new ArrayList<>();
        for (int n = 0; n < npy.shape()[0]; n++) {
            rolls.add(new SampleRoll((int) npy.data()[3 * n], (int) npy.data()[3 * n + 1], (int) npy.data()[3 * n + 2]));
        }
        return rolls;
    }

    private static NDArray array(NDManager manager, String file) throws URISyntaxException {
        Npy npy = read(file);
        return manager.create(npy.toFloatArray(), new Shape(npy.shape()));
    }

    private static Npy read(String file) throws URISyntaxException {
        Path path = Paths.get(DepthDifferentialTripletGoldenTest.class.getResource("/golden/differential/" + file).toURI());
        return Npy.read(path);
    }
}
