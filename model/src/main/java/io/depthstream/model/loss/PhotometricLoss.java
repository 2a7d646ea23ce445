package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.depthstream.model.geometry.BackprojectDepth;
import io.depthstream.model.geometry.BilinearResize;
import io.depthstream.model.geometry.BilinearSampler;
import io.depthstream.model.geometry.Project3D;
import io.depthstream.model.geometry.ScalarConstant;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Monodepth2's self-supervised objective: per-pixel minimum reprojection error over the source frames with
 * auto-masking, full-resolution multi-scale, and edge-aware smoothness, averaged over scales.
 *
 * <p>Intermediate arrays are created in the target's NDManager: call it inside a per-step sub-manager and close
 * that when the step is done.
 *
 * <p>Colour images at a coarser scale (for smoothness, and for warping when full-resolution multi-scale is off) are
 * the full-resolution images averaged over 2^s×2^s blocks. Monodepth2 instead feeds images pre-resized by PIL's
 * antialiasing filter; block averaging is the box-filter form of the same antialiased reduction, needs no extra
 * inputs and is exact for the power-of-two sizes the network uses. Sizes that do not divide evenly fall back to
 * bilinear resizing.
 */
public final class PhotometricLoss {

    private final PhotometricLossConfig config;
    private final Random noise;

    /**
     * A loss whose identity tie-break noise comes from {@code noise}, so a seeded generator makes it reproducible.
     */
    public PhotometricLoss(PhotometricLossConfig config, Random noise) {
        this.config = config;
        this.noise = noise;
    }

    /**
     * Restarts the tie-break noise from {@code seed} (the generator given at construction is reseeded), so the noise
     * of a computation can be a function of its position in a run.
     */
    public void reseed(long seed) {
        noise.setSeed(seed);
    }

    /** The settings. */
    public PhotometricLossConfig config() {
        return config;
    }

    /** Loss terms of one batch; the total stays attached to the autograd graph of disparities and poses. */
    public PhotometricLossResult compute(PhotometricLossInput input) {
        Shape shape = input.target().getShape();
        int height = (int) shape.get(2);
        int width = (int) shape.get(3);
        List<SourceView> sources = input.sources();
        int scales = input.disparities().size();

        List<NDArray> photometric = new ArrayList<>(scales);
        List<NDArray> smoothness = new ArrayList<>(scales);
        List<Double> identityShare = new ArrayList<>(scales);
        NDArray photometricSum = null;
        NDArray smoothnessSum = null;
        // At full resolution every scale compares with the same target, and the identity errors (unwarped sources,
        // no gradient) are the same at every scale: both are computed once, not once per scale.
        List<NDArray> fullSourceImages = sources.stream().map(SourceView::image).toList();
        ReprojectionTarget fullTarget = config.fullResolution() ? target(input.target()) : null;
        NDArray fullIdentityErrors = config.fullResolution() && config.autoMask()
                ? identityErrors(fullSourceImages, fullTarget) : null;
        for (int s = 0; s < scales; s++) {
            NDArray disparity = input.disparities().get(s);
            int h = (int) disparity.getShape().get(2);
            int w = (int) disparity.getShape().get(3);
            NDArray targetAtScale = atSize(input.target(), h, w);

            NDArray warpDisparity;
            ReprojectionTarget target;
            List<NDArray> sourceImages;
            NDArray k;
            NDArray invK;
            int warpHeight;
            int warpWidth;
            if (config.fullResolution()) {
                warpDisparity = BilinearResize.resize(disparity, height, width);
                target = fullTarget;
                sourceImages = fullSourceImages;
                k = input.k();
                invK = input.invK();
                warpHeight = height;
                warpWidth = width;
            } else {
                warpDisparity = disparity;
                target = target(targetAtScale);
                sourceImages = fullSourceImages.stream().map(image -> atSize(image, h, w)).toList();
                double sx = (double) w / width;
                double sy = (double) h / height;
                k = diagonal(input.k(), sx, sy).matMul(input.k());
                invK = input.invK().matMul(diagonal(input.invK(), 1 / sx, 1 / sy));
                warpHeight = h;
                warpWidth = w;
            }

            NDArray points = BackprojectDepth.apply(config.depthRange().depth(warpDisparity), invK);
            NDList reprojection = new NDList();
            for (int i = 0; i < sources.size(); i++) {
                NDArray grid = Project3D.apply(points, k, sources.get(i).targetToSource(), warpHeight, warpWidth);
                NDArray warped = BilinearSampler.sample(sourceImages.get(i), grid);
                reprojection.add(target.error(warped));
            }
            NDArray reprojectionErrors = combine(reprojection);

            NDArray candidates = reprojectionErrors;
            NDArray identityErrors = null;
            if (config.autoMask()) {
                identityErrors = fullIdentityErrors != null ? fullIdentityErrors : identityErrors(sourceImages, target);
                if (config.identityNoise() > 0) {
                    identityErrors = identityErrors.add(gaussian(identityErrors, config.identityNoise()));
                }
                candidates = identityErrors.concat(reprojectionErrors, 1);
            }

            NDArray perPixel;
            double share = 0;
            if (candidates.getShape().get(1) == 1) {
                perPixel = candidates;
            } else {
                perPixel = candidates.min(new int[] {1}, true);
                if (identityErrors != null) {
                    // The identity errors come first, so the minimum's first index is an identity one exactly when
                    // the best identity error is at most the best reprojection error. Comparing the two minima is
                    // what argmin over the channels would say, without its strided reduction (tens of ms a scale).
                    NDArray bestIdentity = identityErrors.stopGradient().min(new int[] {1});
                    NDArray bestReprojection = reprojectionErrors.stopGradient().min(new int[] {1});
                    share = bestIdentity.lte(bestReprojection).toType(DataType.FLOAT64, false).mean().getDouble();
                }
            }
            NDArray photometricAtScale = perPixel.mean();
            NDArray smoothnessAtScale = EdgeAwareSmoothness.loss(disparity, targetAtScale);

            photometric.add(photometricAtScale);
            smoothness.add(smoothnessAtScale);
            identityShare.add(share);
            NDArray weightedSmoothness = scaled(smoothnessAtScale, config.smoothnessWeight() / Math.pow(2, s));
            photometricSum = photometricSum == null ? photometricAtScale : photometricSum.add(photometricAtScale);
            smoothnessSum = smoothnessSum == null ? weightedSmoothness : smoothnessSum.add(weightedSmoothness);
        }
        LossTerms terms = LossTerms.of("photometric", scaled(photometricSum, 1.0 / scales))
                .plus("smoothness", scaled(smoothnessSum, 1.0 / scales));
        return new PhotometricLossResult(terms, photometric, smoothness, identityShare);
    }

    /** The errors of the unwarped sources against the target, combined as {@link #combine} does. */
    private NDArray identityErrors(List<NDArray> sourceImages, ReprojectionTarget target) {
        NDList identity = new NDList();
        for (NDArray source : sourceImages) {
            identity.add(target.error(source));
        }
        return combine(identity);
    }

    private ReprojectionTarget target(NDArray image) {
        return new ReprojectionTarget(image, config.ssimWeight() > 0 ? Ssim.reference(image) : null,
                config.ssimWeight());
    }

    /** A target image, with its SSIM statistics when the error has an SSIM term. */
    private record ReprojectionTarget(NDArray image, Ssim.Reference ssim, double ssimWeight) {

        /** (B,1,h,w) reprojection error of {@code predicted} against this target. */
        NDArray error(NDArray predicted) {
            return ssim == null ? ReprojectionError.of(predicted, image, ssimWeight)
                    : ReprojectionError.of(predicted, ssim, ssimWeight);
        }
    }

    /** (B,S,h,w) per-source errors stacked, or their mean (B,1,h,w) when averaging instead of taking the minimum. */
    private NDArray combine(NDList perSource) {
        NDArray stacked = perSource.size() == 1 ? perSource.get(0) : NDArrays.concat(perSource, 1);
        return config.minReprojection() ? stacked : stacked.mean(new int[] {1}, true);
    }

    private NDArray gaussian(NDArray like, double sigma) {
        float[] values = new float[Math.toIntExact(like.size())];
        // One draw from the seeded generator seeds a SplittableRandom, whose Gaussians (a ziggurat) cost a seventh
        // of Random's synchronised polar method: a million per scale and step at 640x192, batch 4.
        SplittableRandom draws = new SplittableRandom(noise.nextLong());
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (draws.nextGaussian() * sigma);
        }
        return like.getManager().create(values, like.getShape()).toType(like.getDataType(), false);
    }

    /** Images at (h, w): block means when the size divides evenly, bilinear otherwise. */
    private static NDArray atSize(NDArray image, int h, int w) {
        Shape shape = image.getShape();
        long height = shape.get(2);
        long width = shape.get(3);
        if (height == h && width == w) {
            return image;
        }
        if (height % h == 0 && width % w == 0) {
            Shape block = new Shape(height / h, width / w);
            return Pool.avgPool2d(image, block, block, new Shape(0, 0), false, true);
        }
        return BilinearResize.resize(image, h, w);
    }

    /**
     * {@code x·factor} keeping x's data type: a plain {@code mul(double)} would become a float64 0-d tensor that
     * PyTorch's type promotion lets widen a 0-d (scalar loss) operand to float64, and see {@link ScalarConstant}.
     */
    private static NDArray scaled(NDArray x, double factor) {
        return x.mul(ScalarConstant.of(x, factor));
    }

    /** (4,4) diag(a, b, 1, 1) in the data type of {@code like}. */
    private static NDArray diagonal(NDArray like, double a, double b) {
        NDManager manager = like.getManager();
        return manager.create(new double[] {a, 0, 0, 0, 0, b, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, new Shape(4, 4))
                .toType(like.getDataType(), false);
    }
}
