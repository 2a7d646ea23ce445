package io.depthstream.model.data.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * A uniform grid over the ground (x, z) that lists the primitives overlapping each cell, walked cell by cell
 * along a ray (Amanatides–Woo): a ray only meets the few objects near its own path, which is what keeps
 * full-resolution rendering at several frames per second.
 */
final class SceneGrid {

    private static final double CELL = 4.0;

    private final double minX;
    private final double minZ;
    private final int nx;
    private final int nz;
    private final Primitive[][] cells;
    private final int size;

    SceneGrid(List<? extends Primitive> primitives) {
        double x0 = Double.POSITIVE_INFINITY;
        double z0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double z1 = Double.NEGATIVE_INFINITY;
        for (Primitive p : primitives) {
            x0 = Math.min(x0, p.minX());
            z0 = Math.min(z0, p.minZ());
            x1 = Math.max(x1, p.maxX());
            z1 = Math.max(z1, p.maxZ());
        }
        if (primitives.isEmpty()) {
            x0 = z0 = 0;
            x1 = z1 = CELL;
        }
        minX = x0;
        minZ = z0;
        nx = Math.max(1, (int) Math.ceil((x1 - x0) / CELL));
        nz = Math.max(1, (int) Math.ceil((z1 - z0) / CELL));
        List<List<Primitive>> lists = new ArrayList<>(nx * nz);
        for (int i = 0; i < nx * nz; i++) {
            lists.add(null);
        }
        for (Primitive p : primitives) {
            int ix0 = cellX(p.minX());
            int ix1 = cellX(p.maxX());
            int iz0 = cellZ(p.minZ());
            int iz1 = cellZ(p.maxZ());
            for (int ix = ix0; ix <= ix1; ix++) {
                for (int iz = iz0; iz <= iz1; iz++) {
                    int k = ix * nz + iz;
                    if (lists.get(k) == null) {
                        lists.set(k, new ArrayList<>(4));
                    }
                    lists.get(k).add(p);
                }
            }
        }
        cells = new Primitive[nx * nz][];
        for (int k = 0; k < cells.length; k++) {
            List<Primitive> list = lists.get(k);
            cells[k] = list == null ? new Primitive[0] : list.toArray(new Primitive[0]);
        }
        size = primitives.size();
    }

    int size() {
        return size;
    }

    /** Finds the nearest primitive hit closer than {@code hit.t}, updating {@code hit}. */
    void intersect(Ray ray, Hit hit) {
        double maxX = minX + nx * CELL;
        double maxZ = minZ + nz * CELL;
        double tx1 = (minX - ray.ox) * ray.idx;
        double tx2 = (maxX - ray.ox) * ray.idx;
        double tz1 = (minZ - ray.oz) * ray.idz;
        double tz2 = (maxZ - ray.oz) * ray.idz;
        double t0 = Math.max(0, Math.max(Math.min(tx1, tx2), Math.min(tz1, tz2)));
        double t1 = Math.min(hit.t, Math.min(Math.max(tx1, tx2), Math.max(tz1, tz2)));
        if (t0 > t1) {
            return;
        }
        int ix = cellX(ray.ox + ray.dx * t0);
        int iz = cellZ(ray.oz + ray.dz * t0);
        int stepX = ray.dx > 0 ? 1 : -1;
        int stepZ = ray.dz > 0 ? 1 : -1;
        double deltaX = Math.abs(CELL * ray.idx);
        double deltaZ = Math.abs(CELL * ray.idz);
        double nextX = (minX + (ray.dx > 0 ? ix + 1 : ix) * CELL - ray.ox) * ray.idx;
        double nextZ = (minZ + (ray.dz > 0 ? iz + 1 : iz) * CELL - ray.oz) * ray.idz;
        while (true) {
            for (Primitive p : cells[ix * nz + iz]) {
                p.intersect(ray, hit);
            }
            double exit = Math.min(nextX, nextZ);
            if (hit.t <= exit || exit > t1) {
                return;
            }
            if (nextX < nextZ) {
                ix += stepX;
                if (ix < 0 || ix >= nx) {
                    return;
                }
                nextX += deltaX;
            } else {
                iz += stepZ;
                if (iz < 0 || iz >= nz) {
                    return;
                }
                nextZ += deltaZ;
            }
        }
    }

    private int cellX(double x) {
        return Math.max(0, Math.min(nx - 1, (int) Math.floor((x - minX) / CELL)));
    }

    private int cellZ(double z) {
        return Math.max(0, Math.min(nz - 1, (int) Math.floor((z - minZ) / CELL)));
    }
}
