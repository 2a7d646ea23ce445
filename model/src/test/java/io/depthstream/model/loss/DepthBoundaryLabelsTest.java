package io.depthstream.model.loss;

import io.depthstream.model.geometry.DisparityToDepth;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The label-free boundary rule on hand-made disparities and images. */
class DepthBoundaryLabelsTest {

    static final int H = 8;
    static final int W = 16;
    static final DisparityToDepth RANGE = new DisparityToDepth(0.1, 100);

    /** Sigmoid disparity giving {@code depth} under {@link #RANGE}. */
    static float sigmoidFor(double depth) {
        double minDisp = 1 / RANGE.maxDepth();
        double maxDisp = 1 / RANGE.minDepth();
        return (float) ((1 / depth - minDisp) / (maxDisp - minDisp));
    }

    /** Depth 2 m left of column {@code step}, 8 m from it; the image has a vertical edge at {@code edge} (or none). */
    static DepthBoundaryLabels scene(int step, int edge) {
        float[] disparity = new float[H * W];
        float[] image = new float[3 * H * W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                disparity[y * W + x] = sigmoidFor(x < step ? 2 : 8);
                for (int c = 0; c < 3; c++) {
                    image[(c * H + y) * W + x] = edge >= 0 && x >= edge ? 0.8f : 0.2f;
                }
            }
        }
        return new DepthBoundaryLabels(disparity, image, 1, H, W, RANGE, DepthBoundaryConfig.defaults());
    }

    @Test
    void depthStepsBecomeClassesAndImageEdgesAdmitAnchors() {
        LabelMap labels = scene(6, 6).at(0, W, H);
        // the median is the far depth (10 of 16 columns), so far pixels have u = 0 (bin 0) and near ones
        // u = ln 2 − ln 8 = −1.386, bin ⌊−5.55⌋ = −6; shifted to start at 0: near 0, far 6
        assertThat(labels.classes()[3 * W + 5]).isZero();
        assertThat(labels.classes()[3 * W + 6]).isEqualTo(6);
        // the image edge lies between columns 5 and 6 (forward difference at column 5): eligible within 2 pixels
        for (int x = 0; x < W; x++) {
            assertThat(labels.eligible()[3 * W + x]).as("column %d", x).isEqualTo(x >= 3 && x <= 7);
        }
    }

    @Test
    void aDepthStepWithoutAnImageEdgeAdmitsNoAnchor() {
        LabelMap labels = scene(6, -1).at(0, W, H);
        assertThat(labels.classes()[0]).isNotEqualTo(labels.classes()[W - 1]);
        for (boolean eligible : labels.eligible()) {
            assertThat(eligible).isFalse();
        }
    }

    @Test
    void coarserScalesSampleDepthByNearestNeighbourAndAverageTheImage() {
        DepthBoundaryLabels source = scene(6, 6);
        LabelMap half = source.at(0, W / 2, H / 2);
        // column x of the half map samples source column 2x: 2·2 = 4 is near, 2·3 = 6 far
        assertThat(half.classes()[2]).isZero();
        assertThat(half.classes()[3]).isEqualTo(6);
        // block means keep the edge between half columns 2 and 3
        assertThat(half.eligible()[0]).isTrue();
        assertThat(half.eligible()[W / 2 - 1]).isFalse();
        // deterministic: the same call gives the same labels
        assertThat(source.at(0, W / 2, H / 2).classes()).isEqualTo(half.classes());
    }

    @Test
    void classesDoNotDependOnTheDepthScale() {
        float[] near = new float[H * W];
        float[] far = new float[H * W];
        for (int i = 0; i < near.length; i++) {
            double depth = 1 + (i % W) * 0.5;
            near[i] = sigmoidFor(depth);
            far[i] = sigmoidFor(3 * depth);
        }
        float[] image = new float[3 * H * W];
        int[] a = new DepthBoundaryLabels(near, image, 1, H, W, RANGE, DepthBoundaryConfig.defaults()).at(0, W, H)
                .classes();
        int[] b = new DepthBoundaryLabels(far, image, 1, H, W, RANGE, DepthBoundaryConfig.defaults()).at(0, W, H)
                .classes();
        // scaling depth shifts ln z by a constant that the median normalisation removes (up to float rounding
        // of the sigmoid at bin edges)
        int differing = 0;
        for (int i = 0; i < a.length; i++) {
            differing += a[i] != b[i] ? 1 : 0;
        }
        assertThat(differing).isLessThanOrEqualTo(H);
    }
}
