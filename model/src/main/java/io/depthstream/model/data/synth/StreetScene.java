package io.depthstream.model.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A procedural street along a {@link StreetLayout}: building façades on both sides with a second row behind,
 * lamp posts, trees, crates, parked cars and, optionally, cars driving in both lanes.
 */
public final class StreetScene {

    private final StreetLayout layout;
    private final SceneGrid grid;
    private final List<MovingCar> movingCars;

    private StreetScene(StreetLayout layout, SceneGrid grid, List<MovingCar> movingCars) {
        this.layout = layout;
        this.grid = grid;
        this.movingCars = List.copyOf(movingCars);
    }

    /**
     * Builds the street over arc lengths {@code sFrom..sTo}; with {@code movingCars}, one car ahead in the
     * camera's lane (slightly faster than the camera) and oncoming cars about every 60 m of the drive.
     */
    public static StreetScene generate(SplittableRandom random, StreetLayout layout, double sFrom, double sTo,
                                       double driveLength, boolean movingCars) {
        List<Primitive> parts = new ArrayList<>();
        for (int side = -1; side <= 1; side += 2) {
            addBuildings(random, layout, sFrom, sTo, side, parts);
            addStreetFurniture(random, layout, sFrom, sTo, side, parts);
            addParkedCars(random, layout, sFrom, sTo, side, parts);
        }
        List<MovingCar> cars = new ArrayList<>();
        if (movingCars) {
            cars.add(new MovingCar(12 + 10 * random.nextDouble(), 1.05 + 0.1 * random.nextDouble(), 0,
                    random.nextInt()));
            int oncoming = Math.max(2, (int) Math.ceil(driveLength / 60));
            double oncomingLane = StreetLayout.ROAD_CENTRE - 1.75;
            for (int k = 0; k < oncoming; k++) {
                double start = 20 + (driveLength + 120) * (k + random.nextDouble()) / oncoming;
                cars.add(new MovingCar(start, -(0.8 + 0.4 * random.nextDouble()), oncomingLane, random.nextInt()));
            }
        }
        return new StreetScene(layout, new SceneGrid(parts), cars);
    }

    /** The street's layout. */
    public StreetLayout layout() {
        return layout;
    }

    /** Number of static primitives. */
    public int staticPrimitiveCount() {
        return grid.size();
    }

    /** The cars that drive, empty without moving objects. */
    public List<MovingCar> movingCars() {
        return movingCars;
    }

    /** Boxes of the moving cars at (fractional) {@code frame}. */
    public List<Box> movingBoxesAt(double frame) {
        List<Box> boxes = new ArrayList<>();
        for (MovingCar car : movingCars) {
            boxes.addAll(car.boxesAt(frame, layout));
        }
        return boxes;
    }

    SceneGrid grid() {
        return grid;
    }

    /** Body and cabin of a car centred on ground point (x, z), long axis along z. */
    static List<Box> carBoxes(double x, double z, int seed, boolean dynamic) {
        double length = 3.9 + 0.8 * unit(seed, 1);
        double width = 1.7 + 0.2 * unit(seed, 2);
        double roof = 1.4 + 0.15 * unit(seed, 3);
        double g = StreetLayout.GROUND_Y;
        double hw = width / 2;
        double hl = length / 2;
        Box body = new Box(x - hw, g - 0.95, z - hl, x + hw, g - 0.22, z + hl, Material.PAINT, seed, dynamic);
        double cabinBack = z - hl + 0.25 * length;
        double cabinFront = z + hl - 0.3 * length;
        Box cabin = new Box(x - hw + 0.1, g - roof, cabinBack, x + hw - 0.1, g - 0.95, cabinFront,
                Material.CABIN, seed, dynamic);
        return List.of(body, cabin);
    }

    private static double unit(int seed, int salt) {
        return (ProceduralTexture.hash(seed, salt, 0x51ed) & 0xFFFFFF) / (double) 0x1000000;
    }

    private static void addBuildings(SplittableRandom random, StreetLayout layout, double sFrom, double sTo,
                                     int side, List<Primitive> parts) {
        double s = sFrom;
        while (s < sTo) {
            double length = 8 + 12 * random.nextDouble();
            double setback = 1.2 * random.nextDouble();
            double floors = 2 + random.nextInt(6);
            double height = floors * 3.2 + 1.0;
            Material material = random.nextDouble() < 0.5 ? Material.BRICK : Material.PLASTER;
            double lateral = StreetLayout.ROAD_CENTRE + side * (StreetLayout.FACADE_OFFSET + setback);
            parts.add(facadeBox(layout, s, s + length, lateral, side, 10, height, material, random.nextInt()));
            s += length;
            if (random.nextDouble() < 0.2) {
                s += 2.5 + 2.5 * random.nextDouble();
            }
        }
        // A second, taller row behind fills the alleys so that the sky shows above roofs, not through gaps.
        s = sFrom;
        while (s < sTo) {
            double length = 15 + 15 * random.nextDouble();
            double lateral = StreetLayout.ROAD_CENTRE + side * (StreetLayout.FACADE_OFFSET + 13 + 6 * random.nextDouble());
            double height = 14 + 24 * random.nextDouble();
            Material material = random.nextDouble() < 0.5 ? Material.BRICK : Material.PLASTER;
            parts.add(facadeBox(layout, s, s + length, lateral, side, 12, height, material, random.nextInt()));
            s += length;
        }
    }

    private static Box facadeBox(StreetLayout layout, double s0, double s1, double lateral, int side,
                                 double depth, double height, Material material, int seed) {
        double xFacade = layout.worldX((s0 + s1) / 2, lateral);
        double z0 = layout.worldZ(s0, lateral);
        double z1 = layout.worldZ(s1, lateral);
        double g = StreetLayout.GROUND_Y;
        double x0 = side > 0 ? xFacade : xFacade - depth;
        double x1 = side > 0 ? xFacade + depth : xFacade;
        return new Box(x0, g - height, Math.min(z0, z1), x1, g, Math.max(z0, z1), material, seed, false);
    }

    private static void addStreetFurniture(SplittableRandom random, StreetLayout layout, double sFrom, double sTo,
                                           int side, List<Primitive> parts) {
        double g = StreetLayout.GROUND_Y;
        double kerb = StreetLayout.ROAD_CENTRE + side * (StreetLayout.ROAD_HALF_WIDTH + 0.45);
        for (double s = sFrom + 30 * random.nextDouble(); s < sTo; s += 18 + 12 * random.nextDouble()) {
            parts.add(new Cylinder(layout.worldX(s, kerb), layout.worldZ(s, kerb), 0.08 + 0.03 * random.nextDouble(),
                    g - 5.5 - 1.5 * random.nextDouble(), g, Material.METAL, random.nextInt()));
        }
        double treeLine = StreetLayout.ROAD_CENTRE + side * (StreetLayout.ROAD_HALF_WIDTH + 1.6);
        for (double s = sFrom + 20 * random.nextDouble(); s < sTo; s += 10 + 14 * random.nextDouble()) {
            if (random.nextDouble() < 0.3) {
                continue;
            }
            double x = layout.worldX(s, treeLine);
            double z = layout.worldZ(s, treeLine);
            int seed = random.nextInt();
            double crownBottom = g - 2.6 - 0.6 * random.nextDouble();
            double crownTop = crownBottom - 2.5 - 2.0 * random.nextDouble();
            double half = 1.1 + 0.4 * random.nextDouble();
            parts.add(new Cylinder(x, z, 0.14 + 0.06 * random.nextDouble(), crownBottom - 0.5, g, Material.BARK, seed));
            parts.add(new Box(x - half, crownTop, z - half, x + half, crownBottom, z + half, Material.FOLIAGE, seed, false));
            double top = half * (0.5 + 0.2 * random.nextDouble());
            parts.add(new Box(x - top, crownTop - 1.2, z - top, x + top, crownTop + 0.01, z + top,
                    Material.FOLIAGE, seed ^ 0x5a5a, false));
        }
        double wall = StreetLayout.ROAD_CENTRE + side * (StreetLayout.FACADE_OFFSET - 0.8);
        for (double s = sFrom + 25 * random.nextDouble(); s < sTo; s += 12 + 30 * random.nextDouble()) {
            double size = 0.5 + 0.5 * random.nextDouble();
            double x = layout.worldX(s, wall);
            double z = layout.worldZ(s, wall);
            double h = size * (0.8 + 0.6 * random.nextDouble());
            parts.add(new Box(x - size / 2, g - h, z - size / 2, x + size / 2, g, z + size / 2,
                    Material.WOOD, random.nextInt(), false));
        }
    }

    private static void addParkedCars(SplittableRandom random, StreetLayout layout, double sFrom, double sTo,
                                      int side, List<Primitive> parts) {
        double lane = StreetLayout.ROAD_CENTRE + side * (StreetLayout.ROAD_HALF_WIDTH - 1.0);
        double s = sFrom + 10 * random.nextDouble();
        while (s < sTo) {
            if (random.nextDouble() < 0.3) {
                s += 5 + 15 * random.nextDouble();
                continue;
            }
            parts.addAll(carBoxes(layout.worldX(s, lane), layout.worldZ(s, lane), random.nextInt(), false));
            s += 5.2 + 1.5 * random.nextDouble();
        }
    }
}
