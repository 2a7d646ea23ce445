package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Edge-aware smoothness |∂x d*|·e^{−|∂x I|} + |∂y d*|·e^{−|∂y I|} on the mean-normalised disparity d* = d/mean(d),
 * image gradients averaged over channels.
 */
public final class EdgeAwareSmoothness {

    /**
     * Keeps the per-sample normalisation finite for an all-zero disparity map (monodepth2 adds the same 1e-7);
     * without the normalisation the loss would reward shrinking the whole map.
     */
    public static final double MEAN_EPSILON = 1e-7;

    private EdgeAwareSmoothness() {
    }

    /**
     * Mean over pixels of the x term plus mean of the y term.
     *
     * @param disparity (B,1,h,w)
     * @param image (B,C,h,w) colour image at the disparity's resolution
     * @return scalar
     */
    public static NDArray loss(NDArray disparity, NDArray image) {
        // DJL's PyTorch mean reduces one axis per call
        NDArray mean = disparity.mean(new int[] {3}, true).mean(new int[] {2}, true);
        NDArray d = disparity.div(mean.add(MEAN_EPSILON));
        NDArray dx = dx(d).abs();
        NDArray dy = dy(d).abs();
        NDArray ix = dx(image).abs().mean(new int[] {1}, true);
        NDArray iy = dy(image).abs().mean(new int[] {1}, true);
        return dx.mul(ix.neg().exp()).mean().add(dy.mul(iy.neg().exp()).mean());
    }

    private static NDArray dx(NDArray x) {
        return x.get(new NDIndex("..., :-1")).sub(x.get(new NDIndex("..., 1:")));
    }

    private static NDArray dy(NDArray x) {
        return x.get(new NDIndex("..., :-1, :")).sub(x.get(new NDIndex("..., 1:, :")));
    }
}
