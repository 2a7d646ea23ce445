package io.depthstream.model.loss;

/** Per frame, the labels of a preferred source when it has them, those of a fallback source otherwise. */
public final class FallbackBoundaryLabels implements BoundaryLabels {

    private final BoundaryLabels preferred;
    private final BoundaryLabels fallback;

    /** Both sources must cover the same frames. */
    public FallbackBoundaryLabels(BoundaryLabels preferred, BoundaryLabels fallback) {
        if (preferred.samples() != fallback.samples()) {
            throw new IllegalArgumentException("sources cover " + preferred.samples() + " and " + fallback.samples()
                    + " frames");
        }
        this.preferred = preferred;
        this.fallback = fallback;
    }

    @Override
    public int samples() {
        return preferred.samples();
    }

    @Override
    public LabelMap at(int sample, int width, int height) {
        LabelMap labels = preferred.at(sample, width, height);
        return labels != null ? labels : fallback.at(sample, width, height);
    }
}
