package io.depthstream.model.data.synth;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Renders a {@link StreetScene} by casting one ray per pixel: the nearest hit gives the depth (camera z) and
 * the colour (procedural albedo, Lambertian shading under one fixed sun, distance haze); rows render in parallel.
 */
public final class RayCaster {

    /** Hits farther than this (metres, camera z) count as "nothing": KITTI's 16-bit depth PNG holds up to 256 m. */
    public static final double MAX_DEPTH = 250;

    // Direction towards the sun in world axes (y down): high, ahead-left of the first camera.
    private static final double SUN_X = -0.45;
    private static final double SUN_Y = -0.80;
    private static final double SUN_Z = -0.40;
    private static final double SUN_NORM = Math.sqrt(SUN_X * SUN_X + SUN_Y * SUN_Y + SUN_Z * SUN_Z);
    // At most 0.95 in full sun: bright albedo must not clip, or its texture is lost.
    private static final double AMBIENT = 0.45;
    private static final double DIFFUSE = 0.5;

    private final StreetScene scene;
    private final ProceduralTexture texture;

    /** A caster for {@code scene} painted with {@code texture}. */
    public RayCaster(StreetScene scene, ProceduralTexture texture) {
        this.scene = scene;
        this.texture = texture;
    }

    /**
     * Renders the camera at {@code cameraToWorld} at (fractional) frame time {@code frame} (moving cars move with
     * it), pixel (u, v) looking along K⁻¹·(u, v, 1) — the pixel index is the pixel coordinate, as in
     * {@link Intrinsics}.
     */
    public RenderedFrame render(RigidTransform cameraToWorld, double frame, Intrinsics k, int width, int height) {
        Box[] moving = scene.movingBoxesAt(frame).toArray(new Box[0]);
        byte[] rgb = new byte[width * height * 3];
        float[] depth = new float[width * height];
        boolean[] dynamic = new boolean[width * height];
        double ox = cameraToWorld.get(0, 3);
        double oy = cameraToWorld.get(1, 3);
        double oz = cameraToWorld.get(2, 3);
        double pixelAngle = 1 / Math.sqrt(k.fx() * k.fy());
        IntStream.range(0, height).parallel().forEach(v -> {
            Ray ray = new Ray();
            Hit hit = new Hit();
            double[] dir = new double[3];
            double[] colour = new double[3];
            double cy = (v - k.cy()) / k.fy();
            for (int u = 0; u < width; u++) {
                double cx = (u - k.cx()) / k.fx();
                cameraToWorld.applyToDirection(cx, cy, 1, dir);
                ray.set(ox, oy, oz, dir[0], dir[1], dir[2]);
                int i = v * width + u;
                if (trace(ray, MAX_DEPTH, moving, hit)) {
                    depth[i] = (float) hit.t;
                    dynamic[i] = hit.dynamic;
                    shade(ray, hit, Math.sqrt(cx * cx + cy * cy + 1), pixelAngle, colour);
                } else if (dir[1] < 0) {
                    texture.sky(dir[0], dir[1], dir[2], pixelAngle, colour);
                } else {
                    colour[0] = ProceduralTexture.horizon(0);
                    colour[1] = ProceduralTexture.horizon(1);
                    colour[2] = ProceduralTexture.horizon(2);
                }
                for (int c = 0; c < 3; c++) {
                    rgb[3 * i + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(colour[c] * 255)));
                }
            }
        });
        return new RenderedFrame(new RgbImage(width, height, rgb), new DepthMap(width, height, depth), dynamic);
    }

    /** Finds the nearest surface along {@code ray} closer than {@code tMax}; false when there is none. */
    boolean trace(Ray ray, double tMax, Box[] moving, Hit hit) {
        hit.reset(tMax);
        if (ray.dy > 0) {
            double t = (StreetLayout.GROUND_Y - ray.oy) * ray.idy;
            if (t < hit.t) {
                hit.t = t;
                hit.nx = 0;
                hit.ny = -1;
                hit.nz = 0;
                hit.material = Material.GROUND;
                hit.seed = 0;
            }
        }
        scene.grid().intersect(ray, hit);
        for (Box box : moving) {
            box.intersect(ray, hit);
        }
        return hit.found();
    }

    /** Albedo of the traced surface without lighting, as a lidar would measure its reflectance. */
    double reflectance(Ray ray, Hit hit, double footprint, double[] colour) {
        texture.albedo(hit, ray.ox + hit.t * ray.dx, ray.oy + hit.t * ray.dy, ray.oz + hit.t * ray.dz, footprint, colour);
        return Math.max(0, Math.min(1, 0.3 * colour[0] + 0.59 * colour[1] + 0.11 * colour[2]));
    }

    /** Moving-car boxes at {@code frame}, for other casters of rays (the lidar). */
    Box[] movingBoxes(double frame) {
        List<Box> boxes = scene.movingBoxesAt(frame);
        return boxes.toArray(new Box[0]);
    }

    private void shade(Ray ray, Hit hit, double rayLength, double pixelAngle, double[] colour) {
        double distance = hit.t * rayLength;
        double cosine = Math.abs(hit.nx * ray.dx + hit.ny * ray.dy + hit.nz * ray.dz) / rayLength;
        // Across a slanted surface the footprint stretches by 1/cos only along the slope: 1/sqrt(cos) keeps
        // detail in the other direction at the price of slight aliasing along the slope.
        double footprint = distance * pixelAngle / Math.sqrt(Math.max(cosine, 0.01));
        double px = ray.ox + hit.t * ray.dx;
        double py = ray.oy + hit.t * ray.dy;
        double pz = ray.oz + hit.t * ray.dz;
        texture.albedo(hit, px, py, pz, footprint, colour);
        double sun = (hit.nx * SUN_X + hit.ny * SUN_Y + hit.nz * SUN_Z) / SUN_NORM;
        double light = AMBIENT + DIFFUSE * Math.max(0, sun);
        double haze = Math.min(1, distance * distance / (280.0 * 280.0));
        for (int c = 0; c < 3; c++) {
            colour[c] = colour[c] * light * (1 - haze) + ProceduralTexture.horizon(c) * haze;
        }
    }
}
