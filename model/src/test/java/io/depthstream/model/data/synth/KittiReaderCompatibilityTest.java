package io.depthstream.model.data.synth;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.KittiCamera;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.VelodyneGroundTruth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The project's own KITTI raw reader and Eigen ground truth take synthetic drives as they take real ones. */
class KittiReaderCompatibilityTest {

    @Test
    void theKittiReaderReadsWrittenDrivesAndItsEigenGroundTruthMatchesTheRenderedDepth(@TempDir Path out)
            throws IOException {
        DriveOptions options = DriveOptions.kitti(3);
        new SyntheticDriveWriter(2, 1, options).write(out, (done, total) -> { });
        SyntheticDrive drive = SyntheticDrive.generate(SyntheticDriveWriter.driveSeed(2, 1), options);
        KittiDrive kitti = KittiDrive.ofName("2011_09_26_drive_0001_sync");

        try (KittiRawArchive archive = KittiRawArchive.open(out)) {
            assertThat(archive.drives()).containsExactly(kitti);
            assertThat(archive.frames(kitti, KittiCamera.IMAGE_02)).containsExactly(0, 1, 2);
            assertThat(archive.velodyneFrames(kitti)).containsExactly(0, 1, 2);
            assertThat(archive.timestamps(kitti, KittiCamera.IMAGE_02)).get().asList().hasSize(3);
            assertThat(archive.calibration("2011_09_26").intrinsics(KittiCamera.IMAGE_02))
                    .isEqualTo(drive.intrinsics());

            RenderedFrame frame = drive.render(1);
            assertThat(archive.image(kitti, 1, KittiCamera.IMAGE_02).rgb()).isEqualTo(frame.image().rgb());

            DepthMap eigen = VelodyneGroundTruth.of(archive, kitti, 1, KittiCamera.IMAGE_02);
            assertThat(eigen.validCount()).isGreaterThan(10_000);
            double[] relative = new double[eigen.validCount()];
            int n = 0;
            for (int i = 0; i < eigen.depth().length; i++) {
                float rendered = frame.depth().depth()[i];
                if (eigen.depth()[i] > 0 && rendered > 0) {
                    relative[n++] = Math.abs(eigen.depth()[i] - rendered) / rendered;
                }
            }
            double[] used = Arrays.copyOf(relative, n);
            Arrays.sort(used);
            // Velodyne x is 0.28 m more than camera z and Eigen's pixels sit one to the upper left: a few percent.
            assertThat(used[n / 2]).isCloseTo(0.02, within(0.02));
        }
        assertThat(List.of(out.toFile().list())).contains("2011_09_26_calib.zip", "2011_09_26_drive_0001_sync.zip");
    }
}
