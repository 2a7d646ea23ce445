package io.depthstream.model.train;

import io.depthstream.model.geometry.Intrinsics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AugmentationTest {

    // 3 channels x 2 rows x 3 columns
    static final float[] IMAGE = {
        0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f,
        0.11f, 0.21f, 0.31f, 0.41f, 0.51f, 0.61f,
        0.12f, 0.22f, 0.32f, 0.42f, 0.52f, 0.62f
    };

    @Test
    void flipMirrorsEveryRowOfEveryChannelAndThePrincipalPoint() {
        Augmentation flip = new Augmentation(null, true);

        assertThat(flip.lossImage(IMAGE, 3, 2)).containsExactly(
                0.3f, 0.2f, 0.1f, 0.6f, 0.5f, 0.4f,
                0.31f, 0.21f, 0.11f, 0.61f, 0.51f, 0.41f,
                0.32f, 0.22f, 0.12f, 0.62f, 0.52f, 0.42f);
        Intrinsics k = flip.intrinsics(new Intrinsics(100, 90, 40, 30), 64);
        assertThat(k.cx()).isEqualTo(23.0);
        assertThat(k.fx()).isEqualTo(100.0);
        assertThat(flip.lossImage(flip.lossImage(IMAGE, 3, 2), 3, 2)).containsExactly(IMAGE);
    }

    @Test
    void jitterReachesOnlyTheNetworkInput() {
        ColorJitter brighter = new ColorJitter(1.2, 1, 1, 0, List.of(0, 1, 2, 3));
        Augmentation augmentation = new Augmentation(brighter, false);

        assertThat(augmentation.lossImage(IMAGE, 3, 2)).containsExactly(IMAGE);
        assertThat(augmentation.networkImage(IMAGE, 3, 2)[0]).isCloseTo(0.12f, within(1e-6f));
        assertThat(Augmentation.none().networkImage(IMAGE, 3, 2)).containsExactly(IMAGE);
    }

    @Test
    void drawsEachHalfOfTheTime() {
        Random random = new Random(1);
        int flips = 0;
        int jitters = 0;
        for (int i = 0; i < 4000; i++) {
            Augmentation a = Augmentation.draw(random);
            flips += a.flip() ? 1 : 0;
            jitters += a.jitter() != null ? 1 : 0;
        }
        assertThat(flips).isBetween(1800, 2200);
        assertThat(jitters).isBetween(1800, 2200);
    }
}
