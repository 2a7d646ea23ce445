package io.depthstream.model.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitFileTest {

    @Test
    void parsesDriveFrameAndSide() throws Exception {
        SplitFile split = SplitFile.parse("mini.txt", """
                2011_09_26/2011_09_26_drive_0022_sync 473 r
                2011_09_26/2011_09_26_drive_0002_sync 0000000069 l

                """);

        assertThat(split.entries()).containsExactly(
                new SplitEntry(KittiDrive.parse("2011_09_26/2011_09_26_drive_0022_sync"), 473, KittiCamera.IMAGE_03, 1),
                new SplitEntry(KittiDrive.parse("2011_09_26/2011_09_26_drive_0002_sync"), 69, KittiCamera.IMAGE_02, 2));
        assertThat(split.drives()).hasSize(2);
    }

    @Test
    void aMalformedLineIsNamedByNumber() {
        String good = "2011_09_26/2011_09_26_drive_0022_sync 473 r\n";
        assertThatThrownBy(() -> SplitFile.parse("train.txt", good + good + "2011_09_26/2011_09_26_drive_0022_sync 473 x\n"))
                .isInstanceOf(KittiDataException.class)
                .hasMessageStartingWith("train.txt line 3: ")
                .hasMessageContaining("side must be l or r");
        assertThatThrownBy(() -> SplitFile.parse("train.txt", good + "2011_09_26/2011_09_26_drive_0022_sync 47a l\n"))
                .hasMessageStartingWith("train.txt line 2: ").hasMessageContaining("'47a'");
        assertThatThrownBy(() -> SplitFile.parse("train.txt", "2011_09_26_drive_0022_sync 4 l\n"))
                .hasMessageStartingWith("train.txt line 1: ").hasMessageContaining("not a KITTI raw drive");
        assertThatThrownBy(() -> SplitFile.parse("train.txt", good + good + good + "2011_09_26/2011_09_26_drive_0022_sync 4\n"))
                .hasMessageStartingWith("train.txt line 4: expected");
        assertThatThrownBy(() -> SplitFile.parse("t.txt", "2011_09_26/2011_09_28_drive_0022_sync 4 l\n"))
                .hasMessageStartingWith("t.txt line 1: ");
    }

    @Test
    void theRealEigenTestListParses() throws Exception {
        Path list = Path.of(System.getProperty("depthstream.fixtures", "/nonexistent"))
                .resolveSibling("reference/kitti-splits/eigen/test_files.txt");
        Assumptions.assumeTrue(Files.isRegularFile(list), "no eigen split at " + list + ": test skipped");

        SplitFile split = SplitFile.read(list);

        assertThat(split.size()).isEqualTo(697);
        assertThat(split.entries().get(0)).isEqualTo(
                new SplitEntry(KittiDrive.parse("2011_09_26/2011_09_26_drive_0002_sync"), 69, KittiCamera.IMAGE_02, 1));
        assertThat(split.drives()).hasSize(28);
    }

    @Test
    void missingFilesDrivesAndFramesAreNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> SplitFile.read(dir.resolve("nope.txt")))
                .isInstanceOf(KittiDataException.class).hasMessageContaining("nope.txt does not exist");

        SplitFile split = SplitFile.parse("mine.txt", """
                2011_09_26/2011_09_26_drive_0000_sync 11 l
                2011_09_26/2011_09_26_drive_0000_sync 12 l
                2011_09_26/2011_09_26_drive_0000_sync 5 r
                """);
        SplitFile otherDrive = SplitFile.parse("other.txt", "2011_09_26/2011_09_26_drive_0022_sync 473 r\n");
        try (KittiRawArchive archive = KittiRawArchive.open(KittiFixtures.kittiRoot())) {
            assertThatThrownBy(() -> split.requireImages(archive))
                    .isInstanceOf(KittiDataException.class)
                    .hasMessage("mine.txt line 2: frame 12 image_02 of drive 2011_09_26/2011_09_26_drive_0000_sync "
                            + "is missing (0000000012.png) (1 more listed frames are missing)");
            assertThatThrownBy(() -> otherDrive.requireImages(archive))
                    .hasMessageStartingWith("other.txt line 1: drive 2011_09_26/2011_09_26_drive_0022_sync is not under")
                    .hasMessageContaining("2011_09_26_drive_0022_sync.zip");
            SplitFile.parse("ok.txt", "2011_09_26/2011_09_26_drive_0000_sync 0 l\n").requireImages(archive);
        }
    }
}
