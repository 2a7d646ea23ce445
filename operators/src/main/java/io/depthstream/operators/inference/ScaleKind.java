package io.depthstream.operators.inference;

import java.util.Locale;

/** Whether a result's depth and translations are in the model's own units or in metres. */
public enum ScaleKind {
    /** Model units: depth from the network's disparity through its depth range; monocular scale is arbitrary. */
    RELATIVE,
    /** Metres, from the ground plane and the configured camera height. */
    METRIC;

    /** The spelling on the wire ({@code ds.scale} header, JSON): {@code relative} or {@code metric}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
