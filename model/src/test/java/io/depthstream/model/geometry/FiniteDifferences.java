package io.depthstream.model.geometry;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Compares autograd gradients of a scalar float64 function with central differences. */
public final class FiniteDifferences {

    private FiniteDifferences() {
    }

    /**
     * Asserts that the gradient of {@code f} with respect to each input matches central differences at every listed
     * coordinate ({@code null} means all coordinates), within {@code tolerance}·(1 + |g|).
     */
    public static void check(Function<NDList, NDArray> f, List<double[]> inputs, List<Shape> shapes,
                             List<int[]> coordinates, double eps, double tolerance) {
        List<double[]> analytic = analytic(f, inputs, shapes);
        for (int i = 0; i < inputs.size(); i++) {
            int[] chosen = coordinates.get(i);
            if (chosen == null) {
                chosen = java.util.stream.IntStream.range(0, inputs.get(i).length).toArray();
            }
            double maxAbs = 0;
            for (int c : chosen) {
                maxAbs = Math.max(maxAbs, Math.abs(analytic.get(i)[c]));
            }
            assertThat(maxAbs).as("input %d has a non-zero gradient somewhere", i).isGreaterThan(1e-9);
            for (int c : chosen) {
                double numeric = central(f, inputs, shapes, i, c, eps);
                double expected = numeric;
                assertThat(analytic.get(i)[c]).as("d f / d input%d[%d]", i, c)
                        .isCloseTo(expected, org.assertj.core.api.Assertions.within(tolerance * (1 + Math.abs(expected))));
            }
        }
    }

    /** Autograd gradients of {@code f} at {@code inputs}, one array per input. */
    public static List<double[]> analytic(Function<NDList, NDArray> f, List<double[]> inputs, List<Shape> shapes) {
        try (NDManager manager = NDManager.newBaseManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDList arrays = create(manager, inputs, shapes);
            for (NDArray array : arrays) {
                array.setRequiresGradient(true);
            }
            NDArray value = f.apply(arrays);
            // DJL 0.25 wraps Java buffers without copying (torch from_blob): a constant closed after the forward
            // pass but saved for backward would then be read after its buffer was freed. Collecting here makes such
            // a use-after-free show up as wrong gradients instead of passing by luck.
            System.gc();
            collector.backward(value);
            List<double[]> gradients = new ArrayList<>();
            for (NDArray array : arrays) {
                gradients.add(array.getGradient().toDoubleArray());
            }
            return gradients;
        }
    }

    /** f evaluated without autograd. */
    public static double value(Function<NDList, NDArray> f, List<double[]> inputs, List<Shape> shapes) {
        try (NDManager manager = NDManager.newBaseManager()) {
            return f.apply(create(manager, inputs, shapes)).toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static double central(Function<NDList, NDArray> f, List<double[]> inputs, List<Shape> shapes,
                                  int which, int coordinate, double eps) {
        List<double[]> plus = new ArrayList<>();
        List<double[]> minus = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            plus.add(inputs.get(i).clone());
            minus.add(inputs.get(i).clone());
        }
        plus.get(which)[coordinate] += eps;
        minus.get(which)[coordinate] -= eps;
        return (value(f, plus, shapes) - value(f, minus, shapes)) / (2 * eps);
    }

    private static NDList create(NDManager manager, List<double[]> inputs, List<Shape> shapes) {
        NDList arrays = new NDList();
        for (int i = 0; i < inputs.size(); i++) {
            arrays.add(manager.create(inputs.get(i), shapes.get(i)));
        }
        return arrays;
    }
}
