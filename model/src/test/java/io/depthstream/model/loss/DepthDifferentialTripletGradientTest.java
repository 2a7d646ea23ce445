package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.geometry.FiniteDifferences;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** Autograd through the blockwise distance expansion matches central differences of the loss in float64. */
class DepthDifferentialTripletGradientTest {

    private static final int B = 2;

    @ParameterizedTest
    @EnumSource(DepthReference.class)
    void gradientsWithRespectToFeaturesMatchFiniteDifferences(DepthReference mode) {
        Random random = new Random(11);
        double[] depth = new double[B * 16 * 24];
        for (int i = 0; i < depth.length; i++) {
            int y = (i / 24) % 16;
            int x = i % 24;
            // three depth planes plus noise, some pixels missing
            depth[i] = random.nextDouble() < 0.2 ? 0 : 1 + (x < 8 ? 0 : x < 16 ? 0.7 : 1.6) + 0.05 * y / 16.0
                    + 0.03 * random.nextGaussian();
        }
        // relative thresholds when normalised by the median (about 1.7 here), metric otherwise
        DifferentialTripletConfig config = new DifferentialTripletConfig(mode, 0.08,
                List.of(new NegativeRange(0.25, 0.6, 2.5), new NegativeRange(0.6, Double.POSITIVE_INFINITY, 4)),
                6, 3, List.of(2, 1), DifferentialReduction.LABELLED_MEAN, 0.7);
        List<List<SampleRoll>> rolls = List.of(
                SampleRoll.draw(random, B, 4, 6, 6, 3), SampleRoll.draw(random, B, 8, 12, 6, 3));
        DepthDifferentialTripletLoss loss = new DepthDifferentialTripletLoss(config, new Random(0));
        Function<NDList, NDArray> total = in -> loss.compute(List.of(in.get(0), in.get(1)),
                in.getManager().create(depth, new Shape(B, 1, 16, 24)), rolls).total();

        List<double[]> inputs = new ArrayList<>();
        inputs.add(random.doubles(B * 3 * 4 * 6, -1, 1).toArray());
        inputs.add(random.doubles(B * 3 * 8 * 12, -1, 1).toArray());
        List<Shape> shapes = List.of(new Shape(B, 3, 4, 6), new Shape(B, 3, 8, 12));
        FiniteDifferences.check(total, inputs, shapes, Arrays.asList(
                random.ints(12, 0, B * 3 * 4 * 6).toArray(), random.ints(12, 0, B * 3 * 8 * 12).toArray()), 1e-6, 1e-6);
    }
}
