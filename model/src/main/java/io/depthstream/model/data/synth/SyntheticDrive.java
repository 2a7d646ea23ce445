package io.depthstream.model.data.synth;

import io.depthstream.model.geometry.Intrinsics;

import java.util.SplittableRandom;

/**
 * One synthetic drive: a procedural street, the camera's path through it, and the rig (rectified colour camera
 * 2 and velodyne, KITTI 2011_09_26 calibration) that films and scans it. Everything follows from the seed.
 */
public final class SyntheticDrive {

    /** Frames per second, as KITTI's cameras and velodyne. */
    public static final double FRAME_RATE = 10;
    /** Lidar firings per turn. */
    public static final int VELODYNE_AZIMUTHS = 2000;

    private final DriveOptions options;
    private final CameraPath path;
    private final StreetScene scene;
    private final RayCaster caster;
    private final VelodyneScanner scanner;
    private final RigCalibration calibration;
    private final Intrinsics intrinsics;
    private final RigidTransform veloToCamera;
    private final long seed;

    private SyntheticDrive(long seed, DriveOptions options) {
        this.seed = seed;
        this.options = options;
        SplittableRandom random = new SplittableRandom(seed);
        double[] arc = CameraPath.arcLengths(random.split(), options.frames(), options.staticStretch());
        double length = arc[arc.length - 1];
        // The lidar sees 120 m all round and the camera 250 m ahead: build the street that far beyond the path.
        double sFrom = -VelodyneScanner.MAX_RANGE - 20;
        double sTo = length + RayCaster.MAX_DEPTH + 20;
        StreetLayout layout = StreetLayout.generate(random.split(), sFrom - 40, sTo + 40);
        path = CameraPath.of(layout, arc);
        scene = StreetScene.generate(random.split(), layout, sFrom, sTo, length, options.movingObjects());
        caster = new RayCaster(scene, new ProceduralTexture(layout, random.nextInt(), options.palette()));
        scanner = new VelodyneScanner(caster, VELODYNE_AZIMUTHS);
        calibration = RigCalibration.forImageSize(options.width(), options.height());
        intrinsics = calibration.intrinsics();
        veloToCamera = calibration.veloToCamera();
    }

    /** The drive for {@code seed}: same seed and options, same drive, bit for bit. */
    public static SyntheticDrive generate(long seed, DriveOptions options) {
        return new SyntheticDrive(seed, options);
    }

    /** The seed this drive was generated from. */
    public long seed() {
        return seed;
    }

    /** What this drive contains. */
    public DriveOptions options() {
        return options;
    }

    /** Number of frames. */
    public int frames() {
        return options.frames();
    }

    /** Intrinsics of the rendered images. */
    public Intrinsics intrinsics() {
        return intrinsics;
    }

    /** The rig's calibration at the rendered image size. */
    public RigCalibration calibration() {
        return calibration;
    }

    /** The street. */
    public StreetScene scene() {
        return scene;
    }

    /** The camera's path. */
    public CameraPath path() {
        return path;
    }

    /** Camera-to-world pose of {@code frame}; frame 0 is the identity. */
    public RigidTransform cameraToWorld(int frame) {
        return path.cameraToWorld(frame);
    }

    /** Velodyne-to-world pose of {@code frame}. */
    public RigidTransform veloToWorld(int frame) {
        return cameraToWorld(frame).compose(veloToCamera);
    }

    /** Renders {@code frame}: image, depth and moving-object mask. */
    public RenderedFrame render(int frame) {
        return caster.render(cameraToWorld(frame), frame, intrinsics, options.width(), options.height());
    }

    /** The velodyne sweep of {@code frame}: x, y, z, reflectance per point, velodyne frame. */
    public float[] scan(int frame) {
        return scanner.scan(veloToWorld(frame), frame);
    }
}
