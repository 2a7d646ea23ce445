package io.depthstream.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class VelodyneGroundTruthTest {

    /** Focal 10, principal point 0, 8×6 image: a point (x, −(c+1)·x/10, −(r+1)·x/10) lands on pixel (r, c). */
    private static KittiCalibration synthetic() throws KittiDataException {
        return KittiCalibration.parse(SyntheticKitti.camToCam(10, 0, 0, 8, 6), SyntheticKitti.veloToCam());
    }

    private static float[] pointAt(int row, int col, float x) {
        return new float[] {x, -(col + 1) * x / 10f, -(row + 1) * x / 10f, 0.5f};
    }

    private static VelodyneScan scan(float[]... points) {
        float[] xyzr = new float[4 * points.length];
        for (int i = 0; i < points.length; i++) {
            System.arraycopy(points[i], 0, xyzr, 4 * i, 4);
        }
        return new VelodyneScan(xyzr);
    }

    private static JsonNode golden() throws Exception {
        try (InputStream in = VelodyneGroundTruthTest.class.getResourceAsStream("/golden/velodyne/ground_truth.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static void assertMatchesGolden(DepthMap gt, JsonNode expected) {
        assertThat(gt.width()).isEqualTo(expected.get("width").asInt());
        assertThat(gt.height()).isEqualTo(expected.get("height").asInt());
        assertThat(gt.validCount()).isEqualTo(expected.get("count").asInt());
        float min = Float.MAX_VALUE;
        float max = 0;
        double sum = 0;
        for (float d : gt.depth()) {
            if (d > 0) {
                min = Math.min(min, d);
                max = Math.max(max, d);
                sum += d;
            }
        }
        assertThat((double) min).isEqualTo(expected.get("min").asDouble());
        assertThat((double) max).isEqualTo(expected.get("max").asDouble());
        assertThat(sum).isCloseTo(expected.get("sum").asDouble(), within(1e-6));
        for (JsonNode sample : expected.get("samples")) {
            assertThat((double) gt.get(sample.get(1).asInt(), sample.get(0).asInt()))
                    .as("GT at row %d col %d", sample.get(0).asInt(), sample.get(1).asInt())
                    .isEqualTo(sample.get(2).asDouble());
        }
        for (JsonNode changed : expected.get("changed_by_min")) {
            assertThat((double) gt.get(changed.get(1).asInt(), changed.get(0).asInt()))
                    .as("group minimum at row %d col %d", changed.get(0).asInt(), changed.get(1).asInt())
                    .isEqualTo(changed.get(2).asDouble())
                    .isNotEqualTo(changed.get(3).asDouble());
        }
    }

    @Test
    void realFramesMatchAnIndependentNumpyComputation() throws Exception {
        JsonNode golden = golden();
        int groupMinimumPixels = 0;
        try (KittiRawArchive archive = KittiRawArchive.open(KittiFixtures.kittiRoot())) {
            for (JsonNode expected : golden) {
                KittiCamera camera = expected.get("camera").asInt() == 2 ? KittiCamera.IMAGE_02 : KittiCamera.IMAGE_03;
                DepthMap gt = VelodyneGroundTruth.of(archive, KittiFixtures.DRIVE, expected.get("frame").asInt(), camera);
                assertMatchesGolden(gt, expected);
                groupMinimumPixels += expected.get("changed_by_min").size();
            }
        }
        // The golden must exercise the group-minimum step, or a plain last-write projection would pass too.
        assertThat(groupMinimumPixels).isGreaterThan(0);
    }

    @Test
    void zipArchivesGiveTheSameGroundTruthAsFolders(@TempDir Path dir) throws Exception {
        KittiFixtures.makeArchives(dir);
        JsonNode expected = golden().get(0);
        try (KittiRawArchive zips = KittiRawArchive.open(dir);
                KittiRawArchive folders = KittiRawArchive.open(KittiFixtures.kittiRoot())) {
            DepthMap fromZip = VelodyneGroundTruth.of(zips, KittiFixtures.DRIVE, expected.get("frame").asInt(), KittiCamera.IMAGE_02);
            DepthMap fromFolder = VelodyneGroundTruth.of(folders, KittiFixtures.DRIVE, expected.get("frame").asInt(), KittiCamera.IMAGE_02);

            assertMatchesGolden(fromZip, expected);
            assertThat(fromZip.depth()).containsExactly(fromFolder.depth());
        }
    }

    @Test
    void depthIsVelodyneXAndPixelsAreRoundedTiesToEvenMinusOne() throws Exception {
        float[] onPixel = pointAt(2, 4, 5f);
        // u = 2.5 exactly: ties to even gives 2, so column 1 (half-up rounding would give column 2).
        float[] tie = {10f, -2.5f, -4f, 0f};
        DepthMap gt = VelodyneGroundTruth.project(scan(onPixel, tie), synthetic(), KittiCamera.IMAGE_02);

        assertThat(gt.width()).isEqualTo(8);
        assertThat(gt.height()).isEqualTo(6);
        assertThat(gt.get(4, 2)).isEqualTo(5f);
        assertThat(gt.get(1, 3)).isEqualTo(10f);
        assertThat(gt.get(2, 3)).isZero();
        assertThat(gt.validCount()).isEqualTo(2);
    }

    @Test
    void pointsBehindOrOutsideAreDropped() throws Exception {
        float[] behind = {-5f, 0.5f, 0.5f, 0f};
        float[] leftOfImage = pointAt(1, -1, 5f);
        float[] belowImage = pointAt(6, 2, 5f);
        float[] rightOfImage = pointAt(1, 8, 5f);
        DepthMap gt = VelodyneGroundTruth.project(scan(behind, leftOfImage, belowImage, rightOfImage),
                synthetic(), KittiCamera.IMAGE_03);

        assertThat(gt.validCount()).isZero();
    }

    @Test
    void pointsOnOnePixelKeepTheMinimumDepth() throws Exception {
        DepthMap gt = VelodyneGroundTruth.project(scan(pointAt(3, 3, 5f), pointAt(3, 3, 7f), pointAt(0, 0, 9f), pointAt(0, 0, 6f)),
                synthetic(), KittiCamera.IMAGE_02);

        assertThat(gt.get(3, 3)).isEqualTo(5f);
        assertThat(gt.get(0, 0)).isEqualTo(6f);
    }

    @Test
    void theWidthMinusOneIndexQuirkJoinsTheLastColumnWithTheNextRowsFirst() throws Exception {
        // Row 1 col 7 and row 2 col 0 share the index row·(W−1)+col−1 = 13 when W = 8.
        DepthMap gt = VelodyneGroundTruth.project(scan(pointAt(1, 7, 9f), pointAt(2, 0, 4f)), synthetic(), KittiCamera.IMAGE_02);

        assertThat(gt.get(7, 1)).isEqualTo(4f);
        assertThat(gt.get(0, 2)).isEqualTo(4f);
    }
}
