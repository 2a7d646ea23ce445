package io.depthstream.model.data.synth;

/** The nearest surface found so far along a ray; mutable and reused per thread, like {@link Ray}. */
final class Hit {
    /** Ray parameter of the hit; for camera rays with unit camera-z direction this is the depth. */
    double t;
    double nx;
    double ny;
    double nz;
    Material material;
    int seed;
    /** The box that was hit, for surface coordinates; null for the ground and cylinders. */
    Box box;
    boolean dynamic;

    void reset(double tMax) {
        t = tMax;
        material = null;
        box = null;
        dynamic = false;
    }

    boolean found() {
        return material != null;
    }
}
