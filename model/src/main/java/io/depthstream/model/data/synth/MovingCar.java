package io.depthstream.model.data.synth;

import java.util.List;

/**
 * A car that drives along the street at constant speed: it breaks the static-scene assumption of
 * photometric learning the way real traffic does, which is what auto-masking is for.
 *
 * @param startArc arc length of the car's centre at frame 0
 * @param speed metres per frame along the street; negative for oncoming traffic
 * @param lateral lateral offset of the car's centre from the camera's path
 * @param seed paint colour and size variation
 */
public record MovingCar(double startArc, double speed, double lateral, int seed) {

    /** The car's body and cabin at (fractional) {@code frame}. */
    public List<Box> boxesAt(double frame, StreetLayout layout) {
        double s = startArc + speed * frame;
        return StreetScene.carBoxes(layout.worldX(s, lateral), layout.worldZ(s, lateral), seed, true);
    }
}
