package io.depthstream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.io.Npy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AdamOptimizerTest {

    static final List<String> NAMES = List.of("a", "b");

    static Path golden(String name) throws Exception {
        return Paths.get(AdamOptimizerTest.class.getResource("/golden/adam/" + name).toURI());
    }

    static NDArray load(NDManager manager, String file) throws Exception {
        Npy npy = Npy.read(golden(file));
        return manager.create(npy.toFloatArray(), new Shape(npy.shape()));
    }

    static float[] expected(String file) throws Exception {
        return Npy.read(golden(file)).toFloatArray();
    }

    @Test
    void matchesTorchOptimAdamStepByStep() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(golden("cases.json").toFile());
        try (NDManager manager = NDManager.newBaseManager()) {
            AdamOptimizer adam = new AdamOptimizer(manager, cases.get("beta1").asDouble(),
                    cases.get("beta2").asDouble(), cases.get("epsilon").asDouble());
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            for (String name : NAMES) {
                parameters.put(name, load(manager, name + "_initial.npy"));
            }
            for (int step = 0; step < cases.get("steps").asInt(); step++) {
                double rate = cases.get("rates").get(step).asDouble();
                for (String name : NAMES) {
                    int first = cases.get("firstStep").get(name).asInt();
                    if (step >= first) {
                        NDArray gradient = load(manager, name + "_gradient_" + step + ".npy");
                        float[] before = gradient.toFloatArray();
                        adam.update(name, parameters.get(name), gradient, rate);
                        assertThat(gradient.toFloatArray()).as("gradient is left unchanged").containsExactly(before);
                        AdamMoments moments = adam.moments().get(name);
                        assertThat(moments.steps()).as("%s's own step count", name).isEqualTo(step - first + 1);
                        assertThat(moments.first().toFloatArray()).as("m of %s after step %d", name, step)
                                .containsExactly(expected(name + "_first_moment_" + step + ".npy"), within(1e-6f));
                        assertThat(moments.second().toFloatArray()).as("v of %s after step %d", name, step)
                                .containsExactly(expected(name + "_second_moment_" + step + ".npy"), within(1e-6f));
                    }
                    assertThat(parameters.get(name).toFloatArray()).as("%s after step %d", name, step)
                            .containsExactly(expected(name + "_after_" + step + ".npy"), within(1e-6f));
                }
            }
            // b was first updated at step 2: it has its own, smaller step count
            assertThat(adam.moments().get("a").steps()).isEqualTo(6);
            assertThat(adam.moments().get("b").steps()).isEqualTo(4);
        }
    }

    @Test
    void restoredStateContinuesLikeTheUninterruptedOptimizer() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            AdamOptimizer straight = new AdamOptimizer(manager, 0.9, 0.999, 1e-8);
            NDArray p = load(manager, "a_initial.npy");
            for (int step = 0; step < 3; step++) {
                straight.update("a", p, load(manager, "a_gradient_" + step + ".npy"), 1e-2);
            }
            AdamOptimizer resumed = new AdamOptimizer(manager, 0.9, 0.999, 1e-8);
            NDArray q = p.duplicate();
            resumed.restore("a", q, straight.moments().get("a"));
            for (int step = 3; step < 6; step++) {
                NDArray gradient = load(manager, "a_gradient_" + step + ".npy");
                straight.update("a", p, gradient, 3e-3);
                resumed.update("a", q, gradient, 3e-3);
            }
            assertThat(q.toFloatArray()).containsExactly(p.toFloatArray());
            assertThat(resumed.moments().get("a").steps()).isEqualTo(6);
            assertThat(q.toFloatArray()).containsExactly(expected("a_after_5.npy"), within(1e-6f));
        }
    }

    @Test
    void updatesAllocateNothingThatOutlivesThem() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            AdamOptimizer adam = new AdamOptimizer(manager, 0.9, 0.999, 1e-8);
            NDArray p = load(manager, "a_initial.npy");
            NDArray gradient = load(manager, "a_gradient_0.npy");
            adam.update("a", p, gradient, 1e-3);
            int arrays = manager.getManagedArrays().size();
            for (int i = 0; i < 50; i++) {
                adam.update("a", p, gradient, 1e-3);
            }
            assertThat(manager.getManagedArrays()).hasSize(arrays);
        }
    }

    @Test
    void mismatchedShapesAreRefusedWithTheParameterName() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            AdamOptimizer adam = new AdamOptimizer(manager, 0.9, 0.999, 1e-8);
            NDArray p = load(manager, "a_initial.npy");
            adam.update("a", p, load(manager, "a_gradient_0.npy"), 1e-3);
            NDArray other = manager.zeros(new Shape(4, 3));
            assertThatThrownBy(() -> adam.restore("conv.weight", other, adam.moments().get("a")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conv.weight")
                    .hasMessageContaining("(3, 4)");
            assertThatThrownBy(() -> adam.update("a", other, other, 1e-3))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Adam state of a");
        }
    }
}
