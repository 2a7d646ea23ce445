package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.depthstream.model.geometry.FiniteDifferences;
import io.depthstream.model.geometry.PoseMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** The whole loss is differentiable: autograd matches central differences for disparities and pose parameters. */
class PhotometricLossGradientTest {

    private static final int B = 2;
    private static final int H = 8;
    private static final int W = 24;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsWithRespectToDisparitiesAndPosesMatchFiniteDifferences(boolean fullResolution) {
        Random random = new Random(17);
        double[] target = smoothImage(random);
        double[] previous = smoothImage(random);
        double[] next = smoothImage(random);
        double[] k = new double[B * 16];
        double[] invK = new double[B * 16];
        double[][] cameras = {{0.58 * W, 1.92 * H, 0.5 * W, 0.5 * H}, {20, 14, 11.5, 3.75}};
        for (int b = 0; b < B; b++) {
            double fx = cameras[b][0], fy = cameras[b][1], cx = cameras[b][2], cy = cameras[b][3];
            System.arraycopy(new double[] {fx, 0, cx, 0, 0, fy, cy, 0, 0, 0, 1, 0, 0, 0, 0, 1}, 0, k, 16 * b, 16);
            System.arraycopy(new double[] {1 / fx, 0, -cx / fx, 0, 0, 1 / fy, -cy / fy, 0, 0, 0, 1, 0, 0, 0, 0, 1},
                    0, invK, 16 * b, 16);
        }
        PhotometricLoss loss = new PhotometricLoss(
                PhotometricLossConfig.monodepth2().withIdentityNoise(0).withFullResolution(fullResolution),
                new Random(0));

        Function<NDList, NDArray> total = in -> {
            NDManager manager = in.get(0).getManager();
            Shape image = new Shape(B, 3, H, W);
            PhotometricLossInput input = new PhotometricLossInput(
                    manager.create(target, image),
                    new SourceView(manager.create(previous, image),
                            PoseMatrix.fromParameters(in.get(2), in.get(3), true)),
                    new SourceView(manager.create(next, image),
                            PoseMatrix.fromParameters(in.get(4), in.get(5), false)),
                    List.of(in.get(0), in.get(1)),
                    manager.create(k, new Shape(B, 4, 4)), manager.create(invK, new Shape(B, 4, 4)));
            return loss.compute(input).total();
        };

        List<double[]> inputs = new ArrayList<>();
        inputs.add(random.doubles(B * H * W, 0.05, 0.3).toArray());
        inputs.add(random.doubles(B * (H / 2) * (W / 2), 0.05, 0.3).toArray());
        inputs.add(random.doubles(B * 3, -0.03, 0.03).toArray());
        inputs.add(new double[] {0.05, -0.02, 0.4, -0.04, 0.01, 0.3});
        inputs.add(random.doubles(B * 3, -0.03, 0.03).toArray());
        inputs.add(new double[] {-0.03, 0.02, -0.35, 0.04, -0.01, -0.4});
        List<Shape> shapes = List.of(new Shape(B, 1, H, W), new Shape(B, 1, H / 2, W / 2),
                new Shape(B, 1, 3), new Shape(B, 1, 3), new Shape(B, 1, 3), new Shape(B, 1, 3));
        int[] someDisparityPixels = random.ints(8, 0, B * H * W).toArray();
        int[] someCoarsePixels = random.ints(6, 0, B * (H / 2) * (W / 2)).toArray();

        // pose parameters of the first sample, all six of each source (the second sample's go through the same ops)
        int[] firstSample = {0, 1, 2};
        FiniteDifferences.check(total, inputs, shapes, Arrays.asList(someDisparityPixels, someCoarsePixels,
                firstSample, firstSample, firstSample, firstSample), 1e-6, 1e-6);
    }

    /** Low-frequency colour pattern plus a little noise, so warps see gradients but stay mostly smooth. */
    private static double[] smoothImage(Random random) {
        double[] image = new double[B * 3 * H * W];
        double phase = random.nextDouble() * 6;
        for (int b = 0; b < B; b++) {
            for (int c = 0; c < 3; c++) {
                for (int v = 0; v < H; v++) {
                    for (int u = 0; u < W; u++) {
                        image[((b * 3 + c) * H + v) * W + u] = 0.5 + 0.3 * Math.sin(0.5 * u + 0.7 * v + phase + c + b)
                                + 0.03 * random.nextGaussian();
                    }
                }
            }
        }
        return image;
    }
}
