package io.depthstream.model.geometry;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScalarConstantTest {

    @Test
    void keepsTheOperandsTypeSoScalarLossesStayFloat32() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray scalar32 = manager.create(2f);
            NDArray scalar64 = manager.create(2.0);

            assertThat(scalar32.mul(ScalarConstant.of(scalar32, 0.5)).getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(scalar64.mul(ScalarConstant.of(scalar64, 0.5)).getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(scalar32.mul(ScalarConstant.of(scalar32, 0.5)).getFloat()).isEqualTo(1f);
        }
    }

    @Test
    void gradientsThroughAConstantSurviveAGarbageCollectionBeforeBackward() {
        for (int round = 0; round < 20; round++) {
            try (NDManager manager = NDManager.newBaseManager();
                 GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray x = manager.create(new double[] {1, 2, 3});
                x.setRequiresGradient(true);
                NDArray y = x.mul(ScalarConstant.of(x, 0.25)).sum();
                System.gc();
                collector.backward(y);

                assertThat(x.getGradient().toDoubleArray()).containsExactly(0.25, 0.25, 0.25);
            }
        }
    }
}
