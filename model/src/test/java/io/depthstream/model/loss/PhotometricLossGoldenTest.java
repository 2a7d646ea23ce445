package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.geometry.PoseMatrix;
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

/** Parity with an independent PyTorch implementation of the monodepth2 formulas (golden/loss/generate.py). */
class PhotometricLossGoldenTest {

    private static final int SCALES = 4;

    @ParameterizedTest
    @ValueSource(strings = {"default", "no_automask", "avg_reprojection", "no_fullres", "prev_only"})
    void lossTermsMatchPyTorch(String name) throws Exception {
        PhotometricLossConfig config = PhotometricLossConfig.monodepth2().withIdentityNoise(0);
        config = switch (name) {
            case "no_automask" -> config.withAutoMask(false);
            case "avg_reprojection" -> config.withMinReprojection(false);
            case "no_fullres" -> config.withFullResolution(false);
            default -> config;
        };
        double[] expected = read("terms_" + name + ".npy").data();

        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray target = array(manager, "target.npy");
            SourceView previous = new SourceView(array(manager, "prev.npy"), PoseMatrix.fromParameters(
                    array(manager, "axisangle_prev.npy"), array(manager, "translation_prev.npy"), true));
            SourceView next = name.equals("prev_only") ? null : new SourceView(array(manager, "next.npy"),
                    PoseMatrix.fromParameters(array(manager, "axisangle_next.npy"),
                            array(manager, "translation_next.npy"), false));
            List<NDArray> disparities = new ArrayList<>();
            for (int s = 0; s < SCALES; s++) {
                disparities.add(array(manager, "disp_" + s + ".npy"));
            }
            PhotometricLossInput input = new PhotometricLossInput(target, previous, next, disparities,
                    array(manager, "K.npy"), array(manager, "invK.npy"));

            PhotometricLossResult result = new PhotometricLoss(config, new Random(0)).compute(input);

            assertRelative("total", result.total().getFloat(), expected[0]);
            for (int s = 0; s < SCALES; s++) {
                assertRelative("photometric " + s, result.photometric().get(s).getFloat(), expected[1 + s]);
                assertRelative("smoothness " + s, result.smoothness().get(s).getFloat(), expected[1 + SCALES + s]);
                Shape disparity = disparities.get(s).getShape();
                double onePixel = 1.0 / (disparity.get(0) * disparity.get(2) * disparity.get(3));
                assertThat(result.identityShare().get(s)).as("identity share %d", s)
                        .isCloseTo(expected[1 + 2 * SCALES + s], within(1.5 * onePixel));
            }
            assertThat(result.terms().values().keySet()).containsExactly("total", "photometric", "smoothness");
        }
    }

    private static void assertRelative(String what, double actual, double expected) {
        assertThat(actual).as(what).isCloseTo(expected, within(1e-4 * Math.abs(expected)));
    }

    private static NDArray array(NDManager manager, String file) throws URISyntaxException {
        Npy npy = read(file);
        return manager.create(npy.toFloatArray(), new Shape(npy.shape()));
    }

    private static Npy read(String file) throws URISyntaxException {
        Path path = Paths.get(PhotometricLossGoldenTest.class.getResource("/golden/loss/" + file).toURI());
        return Npy.read(path);
    }
}
