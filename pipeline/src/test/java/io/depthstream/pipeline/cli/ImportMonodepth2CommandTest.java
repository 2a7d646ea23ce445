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

    @Test
    void convertsCheckpointsToNativeWeights(@TempDir Path dir) {
        Path out = dir.resolve("weights");

        DepthstreamCommandTest.Run result = run("import-monodepth2", "--dir", GOLDEN.toString(), "--out", out.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("imported lite 96x64 (depth and pose)");
        assertThat(ModelWeights.readConfig(out).architecture()).isEqualTo(Architecture.LITE);
        assertThat(out.resolve("depth.params")).isRegularFile();
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
