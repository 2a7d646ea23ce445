package io.depthstream.model.loss;

import java.util.List;

/** Test labels given directly at each feature resolution: per resolution, per frame a map or null. */
final class FixedBoundaryLabels implements BoundaryLabels {

    private final List<List<LabelMap>> byResolution;

    FixedBoundaryLabels(List<List<LabelMap>> byResolution) {
        this.byResolution = byResolution;
    }

    static FixedBoundaryLabels single(LabelMap... frames) {
        return new FixedBoundaryLabels(List.of(java.util.Arrays.asList(frames)));
    }

    @Override
    public int samples() {
        return byResolution.get(0).size();
    }

    @Override
    public LabelMap at(int sample, int width, int height) {
        for (List<LabelMap> frames : byResolution) {
            LabelMap any = frames.stream().filter(m -> m != null).findFirst().orElse(null);
            if (any == null || (any.width() == width && any.height() == height)) {
                return frames.get(sample);
            }
        }
        throw new IllegalArgumentException("no labels at " + width + "x" + height);
    }
}
