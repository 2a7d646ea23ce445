package io.depthstream.model.loss;

import io.depthstream.model.data.SemanticMap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Boundary labels from per-frame semantic class-id maps, resized by nearest neighbour to each feature scale.
 * Every pixel may be an anchor.
 */
public final class SemanticBoundaryLabels implements BoundaryLabels {

    private final List<SemanticMap> maps;

    /** @param maps one per frame of the batch, null for a frame without a map */
    public SemanticBoundaryLabels(List<SemanticMap> maps) {
        this.maps = Collections.unmodifiableList(new ArrayList<>(maps));
    }

    @Override
    public int samples() {
        return maps.size();
    }

    @Override
    public LabelMap at(int sample, int width, int height) {
        SemanticMap map = maps.get(sample);
        if (map == null) {
            return null;
        }
        return LabelMap.of(width, height, map.resized(width, height).classes());
    }
}
