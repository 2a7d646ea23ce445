package io.depthstream.operators.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.depthstream.model.data.KittiRawArchive;
import io.depthstream.model.data.SplitFile;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.train.Augmentation;
import io.depthstream.model.train.CheckpointProgress;
import io.depthstream.model.train.LossReport;
import io.depthstream.model.train.SelfSupervisedObjective;
import io.depthstream.model.train.SplitValidation;
import io.depthstream.model.train.StepResult;
import io.depthstream.model.train.TrainingCheckpoint;
import io.depthstream.model.train.TrainingSample;
import io.depthstream.model.train.TrainingStep;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The learner of an offline training run (parallelism 1): gathers prepared triplets into batches, takes training
 * steps, and at each epoch's end validates, checkpoints and keeps the best weights; it emits one
 * {@link EpochSummary} per epoch.
 *
 * <p>An epoch ends when every one of its split lines has arrived, trained on or skipped, so the learner needs no
 * marker from the source; lines of a later epoch that overtake the current one's last lines wait in memory.
 * Checkpoints record the lines of the current epoch already trained on, so a resumed run reads only the rest
 * (see {@link TrainingRunSettings}). Flink's own checkpoints are not used: a resumable checkpoint holds the
 * weights and optimizer state, which is far more than operator state should be.
 */
public final class TrainingLearner extends AbstractStreamOperator<EpochSummary>
        implements OneInputStreamOperator<PreparedTriplet, EpochSummary>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLearner.class);

    /** Operator name and uid in the training job graph. */
    public static final String UID = "learner";

    private final TrainingRunSettings settings;

    private transient RunDirectory run;
    private transient DepthModel model;
    private transient TrainingStep trainer;
    private transient SelfSupervisedObjective validationObjective;
    private transient KittiRawArchive validationArchive;
    private transient SplitValidation validation;
    private transient MetricsCsv steps;
    private transient MetricsCsv validationRows;
    private transient BufferedWriter skippedLog;
    private transient int epoch;
    private transient BitSet arrived;
    private transient BitSet consumed;
    private transient int skippedInEpoch;
    private transient List<PreparedTriplet> pending;
    private transient TreeMap<Integer, List<PreparedTriplet>> later;
    private transient double bestValidationLoss;
    private transient double epochLossSum;
    private transient int epochSteps;
    private transient int epochImages;
    private transient long epochStartNanos;
    private transient long lastStepEndNanos;
    private transient double lastLoss;
    private transient double lastImagesPerSecond;
    private transient Counter skippedCounter;
    private transient Counter imageCounter;

    /** A learner with these settings; the model is loaded in {@link #open()}. */
    public TrainingLearner(TrainingRunSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() throws Exception {
        super.open();
        run = new RunDirectory(Path.of(settings.runDirectory()));
        Files.createDirectories(run.root());
        Device device = settings.device().resolve(Engine.getInstance());
        model = settings.model().load(device);
        trainer = new TrainingStep(model, settings.training());
        if (settings.resumeCheckpoint() != null) {
            TrainingCheckpoint.restore(Path.of(settings.resumeCheckpoint()), trainer);
        }
        validationObjective = new SelfSupervisedObjective(
                settings.training().loss().withoutTriplet().withPretext(null).withDepthRange(model.config().depthRange()),
                new Random(settings.training().seed()));
        if (settings.validationSplit() != null) {
            validationArchive = KittiRawArchive.open(Path.of(settings.validationRoot()));
            validation = new SplitValidation(validationArchive, SplitFile.read(Path.of(settings.validationSplit())),
                    settings.batchSize());
        }
        validationRows = MetricsCsv.open(run.validationCsv(), List.of("epoch", "step", "val_loss", "abs_rel", "sq_rel",
                "rmse", "rmse_log", "a1", "a2", "a3", "train_loss", "images_per_s", "skipped"), settings.startEpoch());
        skippedLog = Files.newBufferedWriter(run.skipped(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        epoch = settings.startEpoch();
        arrived = new BitSet();
        consumed = new BitSet();
        for (int line : settings.consumedInStartEpoch()) {
            arrived.set(line);
            consumed.set(line);
        }
        pending = new ArrayList<>(settings.batchSize());
        later = new TreeMap<>();
        bestValidationLoss = settings.bestValidationLoss();
        trainer.setLearningRate(settings.schedule().rateAt(Math.min(epoch, settings.epochs() - 1)));
        epochStartNanos = System.nanoTime();
        lastStepEndNanos = epochStartNanos;
        lastLoss = Double.NaN;
        skippedCounter = getMetricGroup().counter("linesSkipped");
        imageCounter = getMetricGroup().counter("tripletsTrained");
        getMetricGroup().<Long, Gauge<Long>>gauge("step", () -> trainer.steps());
        getMetricGroup().<Integer, Gauge<Integer>>gauge("epoch", () -> epoch + 1);
        getMetricGroup().<Double, Gauge<Double>>gauge("loss", () -> lastLoss);
        getMetricGroup().<Double, Gauge<Double>>gauge("imagesPerSecond", () -> lastImagesPerSecond);
        LOG.info("learner trains {} on {} from step {} (epoch {} of {}, {} of its {} lines already used), lr {}",
                model.config().architecture().configName(), device, trainer.steps(), epoch + 1, settings.epochs(),
                consumed.cardinality(), settings.linesPerEpoch(), trainer.learningRate());
    }

    @Override
    public void processElement(StreamRecord<PreparedTriplet> element) throws Exception {
        PreparedTriplet triplet = element.getValue();
        finishCompleteEpoch();
        if (triplet.epoch() > epoch) {
            later.computeIfAbsent(triplet.epoch(), e -> new ArrayList<>()).add(triplet);
            return;
        }
        if (triplet.epoch() < epoch) {
            LOG.warn("dropping a line of epoch {} that arrived in epoch {}: {}", triplet.epoch() + 1, epoch + 1,
                    triplet.description());
            return;
        }
        accept(triplet);
    }

    private void accept(PreparedTriplet triplet) throws IOException {
        if (arrived.get(triplet.line())) {
            LOG.warn("line {} arrived twice in epoch {}; ignoring the repeat", triplet.line(), epoch + 1);
            return;
        }
        arrived.set(triplet.line());
        if (triplet.isSkipped()) {
            skip(triplet);
        } else {
            pending.add(triplet);
            if (pending.size() == settings.batchSize()) {
                train();
            }
        }
        if (arrived.cardinality() == settings.linesPerEpoch()) {
            endEpoch();
        }
    }

    private void skip(PreparedTriplet triplet) throws IOException {
        skippedInEpoch++;
        skippedCounter.inc();
        consumed.set(triplet.line());
        skippedLog.write("epoch " + (triplet.epoch() + 1) + "\tline " + triplet.line() + "\t" + triplet.description()
                + "\t" + triplet.skipReason());
        skippedLog.newLine();
        skippedLog.flush();
        if (skippedInEpoch > settings.maxSkipFraction() * settings.linesPerEpoch()) {
            throw new IllegalStateException(skippedInEpoch + " of the " + settings.linesPerEpoch() + " lines of epoch "
                    + (epoch + 1) + " could not be used, more than the allowed fraction " + settings.maxSkipFraction()
                    + " (see " + run.skipped() + "); the last: " + triplet.description() + ": " + triplet.skipReason());
        }
    }

    private void train() throws IOException {
        List<TrainingSample> samples = new ArrayList<>(pending.size());
        List<Augmentation> augmentations = new ArrayList<>(pending.size());
        for (PreparedTriplet triplet : pending) {
            TrainingSample sample = new TrainingSample(triplet.previous().toChwFloats(), triplet.current().toChwFloats(),
                    triplet.next().toChwFloats(), triplet.intrinsics());
            samples.add(triplet.semantic() == null ? sample : sample.withSemantic(triplet.semantic()));
            augmentations.add(settings.training().augment() ? triplet.augmentation() : Augmentation.none());
        }
        StepResult result = trainer.step(samples, augmentations);
        long now = System.nanoTime();
        lastImagesPerSecond = samples.size() / ((now - lastStepEndNanos) / 1e9);
        lastStepEndNanos = now;
        for (PreparedTriplet triplet : pending) {
            consumed.set(triplet.line());
        }
        pending.clear();
        imageCounter.inc(samples.size());
        LossReport report = result.report();
        lastLoss = report.total();
        if (Double.isFinite(lastLoss)) {
            epochLossSum += lastLoss;
            epochSteps++;
        }
        epochImages += samples.size();
        writeStepRow(result);
        if (settings.checkpointEverySteps() > 0 && result.step() % settings.checkpointEverySteps() == 0) {
            writeStepCheckpoint(result.step());
        }
    }

    private void writeStepRow(StepResult result) throws IOException {
        LossReport report = result.report();
        if (steps == null) {
            List<String> columns = new ArrayList<>(List.of("step", "epoch", "loss"));
            report.terms().keySet().stream().filter(name -> !"total".equals(name)).forEach(columns::add);
            columns.add("lr");
            columns.add("images_per_s");
            steps = MetricsCsv.open(run.metricsCsv(), columns, result.step() - 1);
        }
        Map<String, Number> row = new LinkedHashMap<>();
        row.put("step", result.step());
        row.put("epoch", epoch + 1);
        row.put("loss", report.total());
        report.terms().forEach((name, value) -> {
            if (!"total".equals(name)) {
                row.put(name, value);
            }
        });
        row.put("lr", result.learningRate());
        row.put("images_per_s", lastImagesPerSecond);
        steps.append(row);
    }

    private void writeStepCheckpoint(long step) throws IOException {
        TrainingCheckpoint.write(run.stepCheckpoint(step), model, trainer, progress(epoch, consumed));
        List<Path> present = run.stepCheckpoints();
        for (int i = 0; i < present.size() - settings.keepStepCheckpoints(); i++) {
            deleteTree(present.get(i));
        }
    }

    private CheckpointProgress progress(int epochIndex, BitSet used) {
        return new CheckpointProgress(trainer.steps(), epochIndex, trainer.learningRate(), used.stream().toArray(),
                bestValidationLoss, settings.training().seed(), Map.of());
    }

    private void endEpoch() throws IOException {
        if (!pending.isEmpty()) {
            train();
        }
        int finished = epoch + 1;
        double trainLoss = epochSteps == 0 ? Double.NaN : epochLossSum / epochSteps;
        double seconds = (System.nanoTime() - epochStartNanos) / 1e9;
        double imagesPerSecond = epochImages == 0 ? Double.NaN : epochImages / seconds;
        SplitValidation.ValidationResult validated = null;
        if (validation != null) {
            long start = System.nanoTime();
            validated = validation.run(model, validationObjective);
            LOG.info("epoch {}: validation loss {} on {} triplets ({} skipped) in {} s", finished, validated.loss(),
                    validated.triplets(), validated.skipped(), String.format("%.1f", (System.nanoTime() - start) / 1e9));
        }
        double validationLoss = validated == null ? Double.NaN : validated.loss();
        boolean best = Double.isFinite(validationLoss)
                && !(validationLoss >= bestValidationLoss); // NaN best (none yet) compares false
        if (best) {
            bestValidationLoss = validationLoss;
        }
        // the epoch's checkpoint says the next epoch starts afresh
        epoch = finished;
        TrainingCheckpoint.write(run.epochWeights(finished), model, trainer, progress(epoch, new BitSet()));
        if (best) {
            Path bestDirectory = run.bestWeights();
            Path partial = bestDirectory.resolveSibling("best.partial");
            deleteTree(partial);
            ModelWeights.save(model, partial, Map.of("epoch", finished, "step", trainer.steps(),
                    "validation_loss", validationLoss));
            deleteTree(bestDirectory);
            Files.move(partial, bestDirectory, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        Map<String, Number> row = new LinkedHashMap<>();
        row.put("epoch", finished);
        row.put("step", trainer.steps());
        row.put("val_loss", validationLoss);
        if (validated != null && validated.eigen() != null) {
            double[] metrics = validated.eigen().metrics().toArray();
            String[] names = {"abs_rel", "sq_rel", "rmse", "rmse_log", "a1", "a2", "a3"};
            for (int k = 0; k < names.length; k++) {
                row.put(names[k], metrics[k]);
            }
        }
        row.put("train_loss", trainLoss);
        row.put("images_per_s", imagesPerSecond);
        row.put("skipped", skippedInEpoch);
        validationRows.append(row);
        plot();
        double absRel = validated != null && validated.eigen() != null ? validated.eigen().metrics().absRel() : Double.NaN;
        double a1 = validated != null && validated.eigen() != null ? validated.eigen().metrics().delta1() : Double.NaN;
        output.collect(new StreamRecord<>(new EpochSummary(finished, trainer.steps(), trainLoss, validationLoss, absRel,
                a1, imagesPerSecond, skippedInEpoch, best)));
        LOG.info("epoch {} of {} done: step {}, train loss {}, validation loss {}{}", finished, settings.epochs(),
                trainer.steps(), trainLoss, validationLoss, best ? " (best so far)" : "");

        arrived = new BitSet();
        consumed = new BitSet();
        skippedInEpoch = 0;
        epochLossSum = 0;
        epochSteps = 0;
        epochImages = 0;
        epochStartNanos = System.nanoTime();
        lastStepEndNanos = epochStartNanos;
        if (epoch < settings.epochs()) {
            trainer.setLearningRate(settings.schedule().rateAt(epoch));
        }
        List<PreparedTriplet> early = later.remove(epoch);
        if (early != null) {
            for (PreparedTriplet triplet : early) {
                accept(triplet);
            }
        }
    }

    private void plot() {
        try {
            LearningCurvePlot.write(MetricsCsv.read(run.metricsCsv()), MetricsCsv.read(run.validationCsv()),
                    run.metricsPng());
        } catch (IOException | RuntimeException | LinkageError | InternalError e) {
            // curves are a convenience (a machine without fonts cannot draw them); the CSV files hold the numbers
            LOG.warn("could not draw {}: {}", run.metricsPng(), e.toString());
        }
    }

    /**
     * A run resumed from a checkpoint taken after the last line of an epoch but before its end was handled gets
     * no line of that epoch: the epoch ends before anything else happens.
     */
    private void finishCompleteEpoch() throws IOException {
        if (epoch < settings.epochs() && arrived.cardinality() == settings.linesPerEpoch()) {
            endEpoch();
        }
    }

    @Override
    public void endInput() throws Exception {
        finishCompleteEpoch();
        if (epoch < settings.epochs() && arrived.cardinality() > 0) {
            LOG.warn("input ended with epoch {} at {} of {} lines; finishing it with what arrived", epoch + 1,
                    arrived.cardinality(), settings.linesPerEpoch());
            endEpoch();
        }
        if (!later.isEmpty()) {
            LOG.warn("input ended with lines of later epochs {} still waiting", later.keySet());
        }
    }

    @Override
    public void close() throws Exception {
        try {
            closeQuietly(steps);
            closeQuietly(validationRows);
            closeQuietly(skippedLog);
            closeQuietly(validationArchive);
            if (model != null) {
                model.close();
            }
        } finally {
            super.close();
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (IOException e) {
                LOG.warn("closing {}: {}", closeable, e.toString());
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
