package io.depthstream.model.data.synth;

/** What a surface is made of: selects its procedural texture. */
public enum Material {
    /** The ground plane: road, lane marks, kerb and pavement follow the street layout. */
    GROUND,
    /** A brick façade with windows. */
    BRICK,
    /** A plastered façade with windows. */
    PLASTER,
    /** Lamp posts and sign poles. */
    METAL,
    /** Tree trunks. */
    BARK,
    /** Tree crowns. */
    FOLIAGE,
    /** Car bodies. */
    PAINT,
    /** Car cabins: windows and pillars. */
    CABIN,
    /** Crates and bins on the pavement. */
    WOOD
}
