package io.depthstream.model.data;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** The shared real-KITTI fixture (twelve frames of 2011_09_26), located through {@code -Ddepthstream.fixtures}. */
final class KittiFixtures {

    static final KittiDrive DRIVE = new KittiDrive("2011_09_26", "2011_09_26_drive_0000_sync");

    private KittiFixtures() {
    }

    /** The fixtures folder; skips the calling test when it is not there. */
    static Path fixtures() {
        String property = System.getProperty("depthstream.fixtures");
        Assumptions.assumeTrue(property != null, "system property depthstream.fixtures is not set: real-KITTI test skipped");
        Path path = Paths.get(property);
        Assumptions.assumeTrue(Files.isDirectory(path.resolve("kitti_raw/2011_09_26")),
                "no KITTI fixture at " + path + "/kitti_raw/2011_09_26: real-KITTI test skipped");
        return path;
    }

    /** The extracted-folder root, holding {@code 2011_09_26/}. */
    static Path kittiRoot() {
        return fixtures().resolve("kitti_raw");
    }

    /** Packs the fixture into KITTI's two zip archives under {@code dir} with the fixture's own script. */
    static Path makeArchives(Path dir) throws IOException, InterruptedException {
        Path script = fixtures().resolve("make-kitti-archives.sh");
        Process process = new ProcessBuilder("bash", script.toString(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("make-kitti-archives.sh did not finish");
        }
        Assumptions.assumeTrue(process.exitValue() != 2, "make-kitti-archives.sh needs zip: " + output);
        if (process.exitValue() != 0) {
            throw new IOException("make-kitti-archives.sh failed (" + process.exitValue() + "): " + output);
        }
        return dir;
    }
}
