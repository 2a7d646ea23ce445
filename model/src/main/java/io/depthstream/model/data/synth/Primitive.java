package io.depthstream.model.data.synth;

/** A solid the ray caster can intersect, with its footprint on the ground for the acceleration grid. */
sealed interface Primitive permits Box, Cylinder {

    /** Records the intersection in {@code hit} when it is nearer than {@code hit.t}; true when it did. */
    boolean intersect(Ray ray, Hit hit);

    double minX();

    double maxX();

    double minZ();

    double maxZ();
}
