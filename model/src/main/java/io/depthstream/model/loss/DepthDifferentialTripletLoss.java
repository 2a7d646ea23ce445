package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.depthstream.model.geometry.ScalarConstant;
import io.depthstream.model.net.DepthOutput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * MetricDepth's depth-differential triplet loss on decoder features. For each configured scale the anchor feature
 * map F_a is compared with N_within circular rolls of itself and N_across rolled maps of other batch images; each
 * anchor pixel i and its sample pixel are labelled by the depth differential D_r = |D_a(i) − D_s(i)| of the
 * reference depth rolled the same way: D_r &lt; r_p is a positive with loss l = ‖F_a(i) − F_s(i)‖₂, r_l^j &lt; D_r &lt;
 * r_h^j is a negative of range j with loss max(0, m^j − l), anything else is unlabelled (Eqs. 7–13). Pixels whose
 * reference depth is not a positive finite number (sparse ground truth) take part neither as anchor nor as sample.
 * L_re(s) is the sum over sample maps and pixels, optionally divided by the number of labelled pairs, and the total
 * is weight · Σ_s L_re(s)/2^s.
 *
 * <p>The reference depth is given at input resolution and reduced to each feature scale by averaging the valid
 * depths of each block of (input size / feature size)² pixels, a block without any valid depth being invalid: for a
 * dense map this is area resizing; for sparse ground truth it keeps every measured point instead of the one pixel
 * nearest resizing would pick, and never mixes missing depths (zeros) into measured ones.
 *
 * <p>Distances are computed from the difference F_a − roll(F_a) in the features' own precision, each sample map
 * rolled by a gather whose gradient is one parallel scatter_add; the one-channel distance maps and everything after
 * them are float64. (Earlier versions expanded ‖a‖² + ‖b‖² − 2⟨a, b⟩ in float64 to avoid cancellation, which cost a
 * float64 copy of every feature map per sample map and 32–49% of a ResNet-18 training step at 640×192, batch 4.)
 * Results stay float64: DJL's {@code toType} would cut them from the graph, and adding a float64 scalar to a float32
 * objective simply promotes the sum.
 *
 * <p>Call inside a per-step NDManager: the results live in the features' manager; intermediates are freed as soon
 * as each sample map is done (the autograd graph keeps its own references to what the backward pass needs).
 */
public final class DepthDifferentialTripletLoss {

    /** The term's name in the training objective. */
    public static final String NAME = "triplet_differential";

    /**
     * Floor of the squared feature distance: keeps the square root's gradient finite for identical features (the
     * clamp passes no gradient below it), far below any distance that matters.
     */
    public static final double SQUARED_DISTANCE_FLOOR = 1e-12;


    private final DifferentialTripletConfig config;
    private final Random random;

    /** A loss whose rolls are drawn from {@code random}, so a seeded generator makes it reproducible. */
    public DepthDifferentialTripletLoss(DifferentialTripletConfig config, Random random) {
        if (config == null || random == null) {
            throw new IllegalArgumentException("config and random are required");
        }
        this.config = config;
        this.random = random;
    }

    /**
     * Restarts the rolls as {@code new Random(seed)} would draw them (the generator given at construction is
     * reseeded), so the rolls of a computation can be a function of its position in a run.
     */
    public void reseed(long seed) {
        random.setSeed(seed);
    }

    /** The settings. */
    public DifferentialTripletConfig config() {
        return config;
    }

    /**
     * The loss on the decoder features of a depth-network output at the configured scales.
     *
     * @param depth output of {@code DepthModel.depth(images, true)}
     * @param referenceDepth (B, 1, H, W) at the network's input resolution: ground-truth depth (≤ 0 where missing)
     *     or the model's predicted depth, according to {@link DifferentialTripletConfig#reference()}
     */
    public DifferentialTripletResult compute(DepthOutput depth, NDArray referenceDepth) {
        List<NDArray> features = new ArrayList<>(config.scales().size());
        for (int scale : config.scales()) {
            features.add(depth.feature(scale));
        }
        return compute(features, referenceDepth);
    }

    /**
     * The loss with rolls drawn from this loss's generator: for each scale in configuration order,
     * {@link SampleRoll#draw} with the configured counts.
     *
     * @param features (B, C_s, h_s, w_s) per configured scale, in configuration order
     * @param referenceDepth (B, 1, H, W) with H, W integer multiples of every h_s, w_s
     */
    public DifferentialTripletResult compute(List<NDArray> features, NDArray referenceDepth) {
        List<List<SampleRoll>> rolls = new ArrayList<>(features.size());
        for (NDArray feature : features) {
            Shape shape = feature.getShape();
            if (shape.dimension() != 4) {
                throw new IllegalArgumentException("features must be (B, C, h, w), got " + shape);
            }
            rolls.add(SampleRoll.draw(random, (int) shape.get(0), (int) shape.get(2), (int) shape.get(3),
                    config.withinSamples(), config.acrossSamples()));
        }
        return compute(features, referenceDepth, rolls);
    }

    /**
     * The loss with explicit rolls (reproducible across implementations).
     *
     * @param features (B, C_s, h_s, w_s) per configured scale, in configuration order
     * @param referenceDepth (B, 1, H, W) with H, W integer multiples of every h_s, w_s
     * @param rolls per scale, the sample maps to compare with (the configured counts are not used)
     */
    public DifferentialTripletResult compute(List<NDArray> features, NDArray referenceDepth,
                                             List<List<SampleRoll>> rolls) {
        List<Integer> scales = config.scales();
        if (features.size() != scales.size() || rolls.size() != scales.size()) {
            throw new IllegalArgumentException("expected features and rolls for " + scales.size() + " scales "
                    + scales + ", got " + features.size() + " feature maps and " + rolls.size() + " roll lists");
        }
        Shape refShape = referenceDepth.getShape();
        if (refShape.dimension() != 4 || refShape.get(1) != 1) {
            throw new IllegalArgumentException("reference depth must be (B, 1, H, W), got " + refShape);
        }
        NDArray reference;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            reference = cleanReference(referenceDepth);
            NDScope.unregister(reference);
        }
        NDArray total = null;
        List<NDArray> perScale = new ArrayList<>();
        List<NDArray> positives = new ArrayList<>();
        List<NDArray> negatives = new ArrayList<>();
        for (int k = 0; k < scales.size(); k++) {
            NDArray feature = features.get(k);
            Shape shape = feature.getShape();
            if (shape.dimension() != 4 || shape.get(0) != refShape.get(0)) {
                throw new IllegalArgumentException("features at scale " + scales.get(k) + " must be (B, C, h, w) with B = "
                        + refShape.get(0) + ", got " + shape);
            }
            for (SampleRoll roll : rolls.get(k)) {
                if (!roll.fits(shape.get(0), shape.get(2), shape.get(3))) {
                    throw new IllegalArgumentException(roll + " does not fit features " + shape);
                }
            }
            ScaleTerms terms;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray[] scaled = atFeatureSize(reference, shape.get(2), shape.get(3));
                terms = scaleTerms(feature, scaled[0], scaled[1], rolls.get(k));
                NDScope.unregister(terms.sum, terms.positives, terms.negatives);
            }
            NDArray value = terms.sum;
            if (config.reduction() == DifferentialReduction.LABELLED_MEAN) {
                NDArray labelled = terms.positives.add(terms.negatives.sum());
                value = value.div(labelled.clip(1, Double.POSITIVE_INFINITY));
            }
            perScale.add(value);
            positives.add(terms.positives);
            negatives.add(terms.negatives);
            NDArray weighted = value.mul(ScalarConstant.of(value, 1.0 / (1 << scales.get(k))));
            total = total == null ? weighted : total.add(weighted);
        }
        total = total.mul(ScalarConstant.of(total, config.weight()));
        return new DifferentialTripletResult(total, perScale, positives, negatives);
    }

    /**
     * Detached float64 reference with every invalid pixel set to 0; in {@link DepthReference#PREDICTED} mode divided
     * by each image's median over valid pixels (torch.median's lower median for even counts).
     */
    private NDArray cleanReference(NDArray depth) {
        NDManager manager = depth.getManager();
        NDArray d = depth.stopGradient().toType(DataType.FLOAT64, false);
        NDArray valid = d.gt(0).logicalAnd(d.lt(Double.POSITIVE_INFINITY));
        NDArray clean = NDArrays.where(valid, d, manager.zeros(d.getShape(), DataType.FLOAT64));
        if (config.reference() == DepthReference.GROUND_TRUTH) {
            return clean;
        }
        long batch = d.getShape().get(0);
        NDArray sorted = NDArrays.where(valid, d, manager.full(d.getShape(), Float.POSITIVE_INFINITY, DataType.FLOAT64))
                .reshape(batch, -1).sort(1);
        NDArray count = valid.reshape(batch, -1).toType(DataType.FLOAT64, false).sum(new int[] {1}, true);
        NDArray middle = count.sub(1).clip(0, Double.POSITIVE_INFINITY).div(2).floor().toType(DataType.INT64, false);
        NDArray median = sorted.gather(middle, 1).reshape(batch, 1, 1, 1);
        // an image without any valid depth has median +inf and stays all 0 (invalid)
        return clean.div(median);
    }

    /** The cleaned reference and its validity at (h, w), from valid-depth averages over equal blocks. */
    private static NDArray[] atFeatureSize(NDArray reference, long h, long w) {
        Shape shape = reference.getShape();
        long batch = shape.get(0);
        long height = shape.get(2);
        long width = shape.get(3);
        if (height % h != 0 || width % w != 0 || height / h != width / w) {
            throw new IllegalArgumentException("reference depth " + height + "x" + width
                    + " is not an integer multiple (same in both axes) of the feature size " + h + "x" + w);
        }
        long factor = height / h;
        NDArray valid = reference.gt(0);
        if (factor == 1) {
            return new NDArray[] {reference, valid};
        }
        NDArray sum = reference.reshape(batch, 1, h, factor, w, factor).sum(new int[] {3, 5});
        NDArray count = valid.toType(DataType.FLOAT64, false).reshape(batch, 1, h, factor, w, factor).sum(new int[] {3, 5});
        NDArray mean = sum.div(count.clip(1, Double.POSITIVE_INFINITY));
        return new NDArray[] {mean, count.gt(0)};
    }

    /** Summed loss and pair counts at one scale. */
    private record ScaleTerms(NDArray sum, NDArray positives, NDArray negatives) {
    }

    private ScaleTerms scaleTerms(NDArray feature, NDArray reference, NDArray valid, List<SampleRoll> rolls) {
        List<NegativeRange> ranges = config.negativeRanges();
        NDList sums = new NDList();
        NDList positiveCounts = new NDList();
        NDList negativeCounts = new NDList();
        for (SampleRoll roll : rolls) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                // the difference first: no cancellation, so the features' own precision suffices; the per-pixel
                // sums (one channel) continue in float64
                NDArray squared = toFloat64(feature.sub(roll(feature, roll)).square().sum(new int[] {1}, true));
                NDArray distance = squared.clip(SQUARED_DISTANCE_FLOOR, Double.POSITIVE_INFINITY).sqrt();
                NDArray both = valid.logicalAnd(roll(valid, roll));
                NDArray differential = reference.sub(roll(reference, roll)).abs();
                NDArray positive = both.logicalAnd(differential.lt(config.positiveThreshold())).toType(DataType.FLOAT64, false);
                NDArray terms = distance.mul(positive);
                NDList counts = new NDList();
                for (NegativeRange range : ranges) {
                    NDArray negative = both.logicalAnd(differential.gt(range.low()))
                            .logicalAnd(differential.lt(range.high())).toType(DataType.FLOAT64, false);
                    // adding a number saves nothing for backward, so no constant has to outlive this scope
                    NDArray hinge = Activation.relu(distance.neg().add(range.margin()));
                    terms = terms.add(hinge.mul(negative));
                    counts.add(negative.sum());
                }
                NDArray sum = terms.sum();
                NDArray positiveCount = positive.sum();
                NDArray negativeCount = NDArrays.stack(counts);
                NDScope.unregister(sum, positiveCount, negativeCount);
                sums.add(sum);
                positiveCounts.add(positiveCount);
                negativeCounts.add(negativeCount);
            }
        }
        if (sums.isEmpty()) {
            NDManager manager = feature.getManager();
            // zero, still connected to the features; a native zero (not a Java-buffer constant) may be freed early
            return new ScaleTerms(toFloat64(feature.sum()).mul(manager.zeros(new Shape(), DataType.FLOAT64)),
                    manager.zeros(new Shape(), DataType.FLOAT64), manager.zeros(new Shape(ranges.size()), DataType.FLOAT64));
        }
        return new ScaleTerms(NDArrays.stack(sums).sum(), NDArrays.stack(positiveCounts).sum(),
                NDArrays.stack(negativeCounts).sum(new int[] {0}));
    }

    /**
     * A float64 version of {@code x} that stays in the autograd graph: DJL's {@code toType} detaches its result, type
     * promotion by adding a float64 zero does not (and addition saves nothing for the backward pass).
     */
    static NDArray toFloat64(NDArray x) {
        if (x.getDataType() == DataType.FLOAT64) {
            return x;
        }
        return x.add(x.getManager().zeros(new Shape(1, 1, 1, 1), DataType.FLOAT64));
    }

    /**
     * torch.roll over batch, rows and columns of (B, C, h, w): out[i] = x[(i − shift) mod n], by selecting indices
     * (differentiable; the gradient is one scatter_add per rolled axis group).
     */
    static NDArray roll(NDArray x, SampleRoll roll) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long channels = shape.get(1);
        int h = Math.toIntExact(shape.get(2));
        int w = Math.toIntExact(shape.get(3));
        NDArray out = x;
        if (roll.batch() != 0) {
            long[] sources = new long[Math.toIntExact(batch)];
            for (int i = 0; i < sources.length; i++) {
                sources[i] = Math.floorMod(i - roll.batch(), sources.length);
            }
            out = select(out, sources, 0);
        }
        if (roll.rows() != 0 || roll.columns() != 0) {
            long[] sources = new long[h * w];
            for (int y = 0; y < h; y++) {
                int sourceRow = Math.floorMod(y - roll.rows(), h);
                for (int column = 0; column < w; column++) {
                    sources[y * w + column] = (long) sourceRow * w + Math.floorMod(column - roll.columns(), w);
                }
            }
            out = select(out.reshape(batch, channels, (long) h * w), sources, 2).reshape(batch, channels, h, w);
        }
        return out;
    }

    /**
     * {@code torch.gather(x, axis, index)} with the int64 {@code indices} (one per position along {@code axis})
     * broadcast over the other axes without a copy. Gather rather than advanced indexing: the backward pass of
     * advanced indexing is an accumulating index_put, which PyTorch runs on one thread; gather's is a parallel
     * scatter_add.
     */
    private static NDArray select(NDArray x, long[] indices, int axis) {
        Shape shape = x.getShape();
        long[] indexShape = new long[shape.dimension()];
        Arrays.fill(indexShape, 1);
        indexShape[axis] = indices.length;
        // create() wraps a Java buffer without copying, and autograd keeps the index for the backward pass, where
        // the buffer may already be collected: gather with a copy that the engine owns
        try (NDArray wrapped = x.getManager().create(indices, new Shape(indexShape));
                NDArray index = wrapped.duplicate();
                NDArray broadcast = index.broadcast(shape)) {
            return x.gather(broadcast, axis);
        }
    }
}
