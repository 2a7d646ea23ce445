package io.depthstream.model.data.synth;

/**
 * A vertical cylinder with a top cap: poles and tree trunks. y grows downwards, so {@code topY < bottomY}.
 *
 * @param material surface texture
 * @param seed per-object texture variation
 */
public record Cylinder(double centreX, double centreZ, double radius, double topY, double bottomY,
                       Material material, int seed) implements Primitive {

    private static final double EPSILON = 1e-6;

    @Override
    public boolean intersect(Ray ray, Hit hit) {
        double px = ray.ox - centreX;
        double pz = ray.oz - centreZ;
        double a = ray.dx * ray.dx + ray.dz * ray.dz;
        double b = px * ray.dx + pz * ray.dz;
        double c = px * px + pz * pz - radius * radius;
        double disc = b * b - a * c;
        if (disc < 0) {
            return false;
        }
        double t = (-b - Math.sqrt(disc)) / a;
        if (t > EPSILON && t < hit.t) {
            double y = ray.oy + t * ray.dy;
            if (y >= topY && y <= bottomY) {
                hit.t = t;
                hit.nx = (px + t * ray.dx) / radius;
                hit.ny = 0;
                hit.nz = (pz + t * ray.dz) / radius;
                return record(hit);
            }
            if (y < topY && ray.dy > 0) {
                double tc = (topY - ray.oy) * ray.idy;
                double qx = px + tc * ray.dx;
                double qz = pz + tc * ray.dz;
                if (tc > EPSILON && tc < hit.t && qx * qx + qz * qz <= radius * radius) {
                    hit.t = tc;
                    hit.nx = 0;
                    hit.ny = -1;
                    hit.nz = 0;
                    return record(hit);
                }
            }
        }
        return false;
    }

    private boolean record(Hit hit) {
        hit.material = material;
        hit.seed = seed;
        hit.box = null;
        hit.dynamic = false;
        return true;
    }

    @Override
    public double minX() {
        return centreX - radius;
    }

    @Override
    public double maxX() {
        return centreX + radius;
    }

    @Override
    public double minZ() {
        return centreZ - radius;
    }

    @Override
    public double maxZ() {
        return centreZ + radius;
    }
}
