package io.depthstream.model.data.synth;

/**
 * A ray o + t·d in world coordinates, with the reciprocal direction the slab tests need. Mutable and reused per
 * thread: a renderer casts half a million rays per frame, and allocating each would dominate the cost.
 */
final class Ray {
    double ox;
    double oy;
    double oz;
    double dx;
    double dy;
    double dz;
    double idx;
    double idy;
    double idz;

    void set(double ox, double oy, double oz, double dx, double dy, double dz) {
        this.ox = ox;
        this.oy = oy;
        this.oz = oz;
        // An exactly axis-parallel component would make 0·∞ = NaN in the slab test.
        this.dx = Math.abs(dx) < 1e-12 ? 1e-12 : dx;
        this.dy = Math.abs(dy) < 1e-12 ? 1e-12 : dy;
        this.dz = Math.abs(dz) < 1e-12 ? 1e-12 : dz;
        idx = 1 / this.dx;
        idy = 1 / this.dy;
        idz = 1 / this.dz;
    }
}
