package io.depthstream.operators.training;

import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.train.Augmentation;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Random;

/**
 * Turns read triplets into training samples, in parallel: decodes the three frames, resizes them to network size
 * with the streaming job's resizer ({@link ImageResizer}), rescales the intrinsics with them (as
 * {@link io.depthstream.operators.codec.FrameDecoder} does), resizes the semantic map by nearest neighbour and draws
 * the sample's augmentation from {@link TrainingSeeds#augmentation}(seed, epoch, line), so a line gets the same
 * augmentation in every run whatever the parallelism. A frame that cannot be decoded, frames of different sizes or a
 * semantic map of another size turn the line into a skipped {@link PreparedTriplet} with the reason; skipped input
 * stays skipped. It never throws on data.
 *
 * <p>Metrics: counters {@value #PREPARED_METRIC} (usable samples emitted) and {@value #SKIPPED_METRIC} (skipped
 * lines emitted, whether skipped here or by the source).
 */
public final class TripletPreparation extends ProcessFunction<EncodedTriplet, PreparedTriplet> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TripletPreparation.class);

    /** Counter of usable samples emitted. */
    public static final String PREPARED_METRIC = "prepared";
    /** Counter of skipped lines emitted. */
    public static final String SKIPPED_METRIC = "skipped";

    private final int networkWidth;
    private final int networkHeight;
    private final long seed;

    private transient Counter prepared;
    private transient Counter skipped;

    /** A preparation producing {@code networkWidth×networkHeight} samples with augmentations drawn from {@code seed}. */
    public TripletPreparation(int networkWidth, int networkHeight, long seed) {
        if (networkWidth <= 0 || networkHeight <= 0) {
            throw new IllegalArgumentException("network size must be positive: " + networkWidth + "x" + networkHeight);
        }
        this.networkWidth = networkWidth;
        this.networkHeight = networkHeight;
        this.seed = seed;
    }

    @Override
    public void open(OpenContext openContext) {
        prepared = getRuntimeContext().getMetricGroup().counter(PREPARED_METRIC);
        skipped = getRuntimeContext().getMetricGroup().counter(SKIPPED_METRIC);
    }

    @Override
    public void processElement(EncodedTriplet triplet, Context context, Collector<PreparedTriplet> out) {
        PreparedTriplet result = prepare(triplet);
        (result.isSkipped() ? skipped : prepared).inc();
        out.collect(result);
    }

    /** The sample of {@code triplet}, or a skip with the reason; never throws on data. */
    public PreparedTriplet prepare(EncodedTriplet triplet) {
        if (triplet.isSkipped()) {
            return PreparedTriplet.skipped(triplet.epoch(), triplet.line(), triplet.description(), triplet.skipReason());
        }
        try {
            return prepareUsable(triplet);
        } catch (IllegalArgumentException e) {
            return skip(triplet, e.getMessage());
        } catch (RuntimeException e) {
            // image codecs can fail in ways their contracts do not declare; the line is still only bad data
            return skip(triplet, "could not prepare the triplet: " + e);
        }
    }

    private PreparedTriplet prepareUsable(EncodedTriplet triplet) {
        if (triplet.intrinsics() == null) {
            throw new IllegalArgumentException("the triplet has no intrinsics");
        }
        RgbImage previous = decode(triplet.previous(), "previous frame");
        RgbImage current = decode(triplet.current(), "centre frame");
        RgbImage next = decode(triplet.next(), "next frame");
        int width = current.width();
        int height = current.height();
        if (previous.width() != width || previous.height() != height || next.width() != width
                || next.height() != height) {
            throw new IllegalArgumentException("frames differ in size: previous " + size(previous) + ", centre "
                    + size(current) + ", next " + size(next));
        }
        SemanticMap semantic = triplet.semantic();
        if (semantic != null && (semantic.width() != width || semantic.height() != height)) {
            throw new IllegalArgumentException("semantic map is " + semantic.width() + "x" + semantic.height()
                    + " but the centre frame " + size(current));
        }
        Intrinsics intrinsics = triplet.intrinsics().rescaled(width, height, networkWidth, networkHeight);
        Augmentation augmentation = Augmentation.draw(
                new Random(TrainingSeeds.augmentation(seed, triplet.epoch(), triplet.line())));
        return new PreparedTriplet(triplet.epoch(), triplet.line(), triplet.description(),
                ImageResizer.resize(previous, networkWidth, networkHeight),
                ImageResizer.resize(current, networkWidth, networkHeight),
                ImageResizer.resize(next, networkWidth, networkHeight),
                intrinsics, semantic == null ? null : semantic.resized(networkWidth, networkHeight), augmentation, null);
    }

    private PreparedTriplet skip(EncodedTriplet triplet, String reason) {
        LOG.warn("Skipping {}: {}", triplet.description(), reason);
        return PreparedTriplet.skipped(triplet.epoch(), triplet.line(), triplet.description(), reason);
    }

    private static RgbImage decode(byte[] encoded, String which) {
        if (encoded == null || encoded.length == 0) {
            throw new IllegalArgumentException(which + " is empty");
        }
        try {
            return RgbImage.decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(which + ": " + e.getMessage(), e);
        }
    }

    private static String size(RgbImage image) {
        return image.width() + "x" + image.height();
    }
}
