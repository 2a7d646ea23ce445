package io.depthstream.pipeline.cli;

import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static io.depthstream.pipeline.cli.DepthstreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class ImportMonodepth2CommandTest {

    /** The seeded monodepth2-architecture checkpoints the model module's golden test generated with PyTorch. */
    static final Path GOLDEN = Paths.get("../model/src/test/resources/golden/monodepth2").toAbsolutePath().normalize();

    /** ResNet-18 checkpoints with every key monodepth2's training writes, classifier and batch counters included. */
    static final Path MONODEPTH2_LAYOUT_R18 = Paths.get("../model/src/test/resources/golden/monodepth2_layout/resnet18")
            .toAbsolutePath().normalize();

    @Test
    void convertsCheckpointsToNativeWeights(@TempDir Path dir) {
        Path out = dir.resolve("weights");

        DepthstreamCommandTest.Run result = run("import-monodepth2", "--dir", GOLDEN.toString(), "--out", out.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("imported lite 96x64 (depth and pose)")
                .contains("skipped 12 num_batches_tracked counters of encoder.pth")
                .contains("skipped 12 num_batches_tracked counters of pose_encoder.pth")
                .doesNotContain("encoder.fc");
        assertThat(ModelWeights.readConfig(out).architecture()).isEqualTo(Architecture.LITE);
        assertThat(out.resolve("depth.params")).isRegularFile();
    }

    @Test
    void listsTheKeysItSkipped(@TempDir Path dir) {
        Path out = dir.resolve("weights");

        DepthstreamCommandTest.Run result = run("import-monodepth2", "--dir", MONODEPTH2_LAYOUT_R18.toString(),
                "--out", out.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out().lines()).containsExactly(
                "imported resnet18 96x64 (depth and pose) -> " + out.toAbsolutePath(),
                "skipped 2 keys of encoder.pth: encoder.fc.weight, encoder.fc.bias (torchvision's ImageNet "
                        + "classifier, unused by depth and pose)",
                "skipped 20 num_batches_tracked counters of encoder.pth (batch-norm training counters, no effect on "
                        + "the outputs)",
                "skipped 1 key of encoder.pth: use_stereo (not a tensor; only encoder.pth's height and width are "
                        + "read)",
                "skipped 2 keys of pose_encoder.pth: encoder.fc.weight, encoder.fc.bias (torchvision's ImageNet "
                        + "classifier, unused by depth and pose)",
                "skipped 20 num_batches_tracked counters of pose_encoder.pth (batch-norm training counters, no "
                        + "effect on the outputs)");
        assertThat(ModelWeights.readConfig(out).architecture()).isEqualTo(Architecture.RESNET18);
    }

    @Test
    void helpSaysTheCheckpointsStayUnderMonodepth2sNonCommercialLicence() {
        DepthstreamCommandTest.Run result = run("import-monodepth2", "--help");

        assertThat(result.exit()).isZero();
        // the help wraps to the terminal's width
        assertThat(result.out().replaceAll("\\s+", " "))
                .contains("Licence: monodepth2's released checkpoints, and anything converted from them (the weights "
                        + "this command writes), remain under monodepth2's own licence (Niantic, Inc., "
                        + "https://github.com/nianticlabs/monodepth2/blob/master/LICENSE), which allows "
                        + "non-commercial use only.");
    }

    @Test
    void aBadCheckpointIsOneClearLine(@TempDir Path dir) throws Exception {
        Files.copy(GOLDEN.resolve("encoder.pth"), dir.resolve("encoder.pth"));
        Files.writeString(dir.resolve("depth.pth"), "not a checkpoint");

        DepthstreamCommandTest.Run result = run("import-monodepth2", "--dir", dir.toString(), "--out",
                dir.resolve("w").toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("error: ").contains("depth.pth");
        assertThat(dir.resolve("w")).doesNotExist();
    }
}
