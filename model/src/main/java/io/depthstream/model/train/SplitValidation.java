package io.depthstream.model.train;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.KittiDrive;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SplitEntry;
import io.depthstream.model.data.SplitFile;
import io.depthstream.model.data.VelodyneGroundTruth;
import io.depthstream.model.eval.EigenEvaluator;
import io.depthstream.model.eval.EigenReport;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.DepthPredictor;
import io.depthstream.model.net.ModelConfig;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validation of a model on a split of KITTI raw triplets: the mean photometric objective of the triplets as the
 * model serves them (no augmentation, batch norm in inference mode) and, for the lines whose velodyne scan
 * exists, the Eigen metrics of the centre frame's depth with per-image median scaling. Frames are read and
 * decoded on every run, so a large split costs time, not memory.
 */
public final class SplitValidation {

    private final KittiRawArchive archive;
    private final SplitFile split;
    private final int batchSize;
    private final Map<KittiDrive, Set<Integer>> velodyneFrames = new HashMap<>();

    /** Validation of {@code split}'s lines read from {@code archive}, {@code batchSize} triplets at a time. */
    public SplitValidation(KittiRawArchive archive, SplitFile split, int batchSize) throws IOException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.archive = archive;
        this.split = split;
        this.batchSize = batchSize;
        for (KittiDrive drive : split.drives()) {
            velodyneFrames.put(drive, archive.hasDrive(drive) ? new HashSet<>(archive.velodyneFrames(drive)) : Set.of());
        }
    }

    /** The split's lines. */
    public int lines() {
        return split.size();
    }

    /**
     * Validates {@code model}.
     *
     * @param objective the objective whose {@link SelfSupervisedObjective#measure} is the validation loss
     */
    public ValidationResult run(DepthModel model, SelfSupervisedObjective objective) throws IOException {
        ModelConfig config = model.config();
        DepthPredictor predictor = new DepthPredictor(model);
        EigenEvaluator eigen = EigenEvaluator.medianScaling();
        List<TrainingSample> samples = new ArrayList<>(batchSize);
        List<SplitEntry> withGroundTruth = new ArrayList<>(batchSize);
        List<float[]> groundTruthInputs = new ArrayList<>(batchSize);
        double lossSum = 0;
        int measured = 0;
        int skipped = 0;
        int eigenImages = 0;
        for (SplitEntry entry : split.entries()) {
            TrainingSample sample = read(entry, config.width(), config.height());
            if (sample == null) {
                skipped++;
                continue;
            }
            samples.add(sample);
            if (velodyneFrames.getOrDefault(entry.drive(), Set.of()).contains(entry.frame())) {
                withGroundTruth.add(entry);
                groundTruthInputs.add(sample.current());
            }
            if (samples.size() == batchSize) {
                lossSum += objective.measure(model, samples).total() * samples.size();
                measured += samples.size();
                eigenImages += evaluate(predictor, eigen, withGroundTruth, groundTruthInputs, config);
                samples.clear();
                withGroundTruth.clear();
                groundTruthInputs.clear();
            }
        }
        if (!samples.isEmpty()) {
            lossSum += objective.measure(model, samples).total() * samples.size();
            measured += samples.size();
            eigenImages += evaluate(predictor, eigen, withGroundTruth, groundTruthInputs, config);
        }
        EigenReport report = eigenImages == 0 ? null : eigen.report();
        return new ValidationResult(measured, skipped, measured == 0 ? Double.NaN : lossSum / measured, report);
    }

    private int evaluate(DepthPredictor predictor, EigenEvaluator eigen, List<SplitEntry> entries,
                         List<float[]> inputs, ModelConfig config) throws IOException {
        if (entries.isEmpty()) {
            return 0;
        }
        float[][] sigmoid = predictor.disparity(inputs);
        for (int i = 0; i < entries.size(); i++) {
            SplitEntry entry = entries.get(i);
            DepthMap gt = VelodyneGroundTruth.of(archive, entry.drive(), entry.frame(), entry.camera());
            eigen.add(EigenEvaluator.scaledDisparity(sigmoid[i], config.depthRange()), config.width(),
                    config.height(), gt);
        }
        return entries.size();
    }

    /** The triplet of a line at network size, or null when a frame of it is missing. */
    private TrainingSample read(SplitEntry entry, int width, int height) throws IOException {
        for (int frame = entry.frame() - 1; frame <= entry.frame() + 1; frame++) {
            if (!archive.hasFrame(entry.drive(), frame, entry.camera())) {
                return null;
            }
        }
        float[][] frames = new float[3][];
        for (int i = 0; i < 3; i++) {
            RgbImage image = archive.image(entry.drive(), entry.frame() - 1 + i, entry.camera());
            frames[i] = ImageResizer.resize(image, width, height).toChwFloats();
        }
        return new TrainingSample(frames[0], frames[1], frames[2],
                archive.calibration(entry.drive().date()).intrinsics(entry.camera(), width, height));
    }

    /**
     * One validation pass.
     *
     * @param triplets lines measured
     * @param skipped lines without all three frames
     * @param loss mean objective per triplet (NaN when none was measured)
     * @param eigen Eigen metrics of the lines with velodyne ground truth, or null when none has any
     */
    public record ValidationResult(int triplets, int skipped, double loss, EigenReport eigen) {}
}
