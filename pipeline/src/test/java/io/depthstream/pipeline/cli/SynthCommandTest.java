package io.depthstream.pipeline.cli;

import io.depthstream.model.data.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static io.depthstream.pipeline.cli.DepthstreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class SynthCommandTest {

    @Test
    void writesTheRequestedDrivesAndReportsProgress(@TempDir Path out) throws IOException {
        DepthstreamCommandTest.Run run = run("synth", "--out", out.toString(), "--drives", "2", "--frames", "3",
                "--seed", "4", "--size", "96x32", "--moving-objects", "--static-stretch");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).containsPattern("synth \\[#+\\] 6/6 100%\\s+\\d+\\.\\d frames/s");
        assertThat(run.out()).contains("wrote 2 drives of 3 frames (96x32) to " + out);
        assertThat(Files.exists(out.resolve("2011_09_26_calib.zip"))).isTrue();
        assertThat(Files.exists(out.resolve("2011_09_26_drive_0002_sync.zip"))).isTrue();
        assertThat(Files.exists(out.resolve("2011_09_26_drive_0003_sync.zip"))).isFalse();
        assertThat(Files.readAllLines(out.resolve("poses/2011_09_26_drive_0001_sync.txt"))).hasSize(3);
        assertThat(Files.readAllLines(out.resolve("splits/train_files.txt")))
                .containsExactly("2011_09_26/2011_09_26_drive_0001_sync 1 l", "2011_09_26/2011_09_26_drive_0002_sync 1 l");

        List<String> images = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(out.resolve("2011_09_26_drive_0001_sync.zip")))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().contains("image_02/data/")) {
                    images.add(entry.getName());
                    RgbImage image = RgbImage.decode(in.readAllBytes());
                    assertThat(image.width()).isEqualTo(96);
                    assertThat(image.height()).isEqualTo(32);
                }
            }
        }
        assertThat(images).hasSize(3);
    }

    @Test
    void helpDescribesWhatIsWritten() {
        DepthstreamCommandTest.Run run = run("synth", "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("--out=DIR").contains("--drives=N").contains("--frames=M").contains("--seed=S")
                .contains("--moving-objects").contains("--static-stretch").contains("--size=WxH")
                .contains("1242x375").contains("2011_09_26_drive_NNNN_sync.zip").contains("depth_gt");
    }

    @Test
    void badArgumentsAreOneLineErrors(@TempDir Path out) {
        DepthstreamCommandTest.Run size = run("synth", "--out", out.toString(), "--size", "1242by375");
        DepthstreamCommandTest.Run tiny = run("synth", "--out", out.toString(), "--size", "4x4");
        DepthstreamCommandTest.Run frames = run("synth", "--out", out.toString(), "--frames", "2");
        DepthstreamCommandTest.Run drives = run("synth", "--out", out.toString(), "--drives", "0");

        assertThat(size.exit()).isEqualTo(1);
        assertThat(size.err()).isEqualTo("error: bad --size '1242by375': expected WIDTHxHEIGHT, e.g. 1242x375\n");
        assertThat(tiny.err()).isEqualTo("error: bad --size '4x4': each side must be 8..8192\n");
        assertThat(frames.err()).isEqualTo("error: --frames must be at least 3 (one triplet), got 2\n");
        assertThat(drives.err()).isEqualTo("error: --drives must be between 1 and 9999, got 0\n");
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void anOutputPathThatIsAFileIsReported(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "x");

        DepthstreamCommandTest.Run run = run("synth", "--out", file.toString(), "--frames", "3", "--size", "16x8");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: cannot write to " + file).doesNotContain("\tat ");
    }

    @Test
    void theOutputDirectoryIsRequired() {
        DepthstreamCommandTest.Run run = run("synth");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--out=DIR'");
    }
}
