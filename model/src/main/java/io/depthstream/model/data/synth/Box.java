package io.depthstream.model.data.synth;

/**
 * An axis-aligned box: façades, tree crowns, car bodies and cabins, crates. y grows downwards, so
 * {@code minY} is the top.
 *
 * @param material surface texture
 * @param seed per-object variation of the texture (colour, window layout)
 * @param dynamic true for parts of moving cars
 */
public record Box(double minX, double minY, double minZ, double maxX, double maxY, double maxZ,
                  Material material, int seed, boolean dynamic) implements Primitive {

    private static final double EPSILON = 1e-6;

    @Override
    public boolean intersect(Ray ray, Hit hit) {
        double tx1 = (minX - ray.ox) * ray.idx;
        double tx2 = (maxX - ray.ox) * ray.idx;
        double ty1 = (minY - ray.oy) * ray.idy;
        double ty2 = (maxY - ray.oy) * ray.idy;
        double tz1 = (minZ - ray.oz) * ray.idz;
        double tz2 = (maxZ - ray.oz) * ray.idz;
        double nearX = Math.min(tx1, tx2);
        double nearY = Math.min(ty1, ty2);
        double nearZ = Math.min(tz1, tz2);
        double near = Math.max(nearX, Math.max(nearY, nearZ));
        double far = Math.min(Math.max(tx1, tx2), Math.min(Math.max(ty1, ty2), Math.max(tz1, tz2)));
        if (near > far || near < EPSILON || near >= hit.t) {
            return false;
        }
        hit.t = near;
        hit.nx = 0;
        hit.ny = 0;
        hit.nz = 0;
        if (near == nearX) {
            hit.nx = ray.dx > 0 ? -1 : 1;
        } else if (near == nearY) {
            hit.ny = ray.dy > 0 ? -1 : 1;
        } else {
            hit.nz = ray.dz > 0 ? -1 : 1;
        }
        hit.material = material;
        hit.seed = seed;
        hit.box = this;
        hit.dynamic = dynamic;
        return true;
    }

    /** The same box moved by (dx, 0, dz). */
    public Box shifted(double dx, double dz) {
        return new Box(minX + dx, minY, minZ + dz, maxX + dx, maxY, maxZ + dz, material, seed, dynamic);
    }
}
