package io.depthstream.pipeline.embedded;

import io.depthstream.model.data.synth.Palette;
import io.depthstream.model.io.ShippedModel;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a demo runs.
 *
 * @param data KITTI raw root to replay (archives or folders), or null to render synthetic drives
 * @param cameras synthetic drives (one camera each) to render, or the number of drives of {@code data} to replay
 * @param frames frames per synthetic drive
 * @param seed seed of the synthetic drives and of a random model
 * @param weights native weights directory, or null for {@code init}
 * @param init without weights: {@code synthetic}, the shipped model, or {@code random}, a seeded random model
 * @param arch architecture of a random model
 * @param height network input height of a random model
 * @param width network input width of a random model
 * @param batchSize triplets per inference batch
 * @param rateHz replay rate per camera (frames per second), or infinity for as fast as possible
 * @param outDir where results, previews, trajectories and {@code summary.json} go
 * @param timeout longest wait for all results once every frame is sent
 * @param fineTune whether the online learner fine-tunes the model while it serves (model store in
 *     {@code outDir/models}, started afresh)
 * @param palette surface colours of the synthetic drives
 * @param renderWidth width of the synthetic drives' images (KITTI's 1242, or less to render faster)
 * @param renderHeight height of the synthetic drives' images
 */
public record DemoOptions(Path data, int cameras, int frames, long seed, Path weights, String init, String arch,
        int height, int width, int batchSize, double rateHz, Path outDir, Duration timeout, boolean fineTune,
        Palette palette, int renderWidth, int renderHeight) {

    public DemoOptions {
        if (cameras < 1) {
            throw new IllegalArgumentException("the demo needs at least one camera, got " + cameras);
        }
        if (frames < 3) {
            throw new IllegalArgumentException("a synthetic drive needs at least 3 frames, got " + frames);
        }
        if (weights == null && !"random".equals(init) && ShippedModel.byName(init) == null) {
            throw new IllegalArgumentException("--init accepts random or " + ShippedModel.names() + ", got '" + init
                    + "'");
        }
        if (!(rateHz > 0)) {
            throw new IllegalArgumentException("the replay rate must be positive, got " + rateHz);
        }
    }

    /** The shipped model the demo serves, or null with weights or a random model. */
    public ShippedModel shipped() {
        return weights == null ? ShippedModel.byName(init) : null;
    }

    /** Where the fine-tuned versions go. */
    public Path modelStore() {
        return outDir.resolve("models");
    }
}
