package io.depthstream.operators.triplet;

import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.learner.FineTuneSampling;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Forms temporal triplets (seq − 1, seq, seq + 1) per camera (keyed by camera id, event time = capture time).
 *
 * <p>Every accepted frame is the centre of exactly one emitted triplet; neighbours are exactly the frames with
 * seq − 1 and seq + 1, and absent when that frame is not available when the centre is emitted. Per camera:
 * <ul>
 *   <li><b>Order.</b> Accepted frames wait in a buffer and are emitted as centres in increasing seq order. The
 *       buffer's lowest frame c is emitted when both neighbours are settled: its predecessor is settled when c − 1
 *       was the previous centre, its successor when c + 1 is buffered. A missing neighbour m is given up when the
 *       watermark passes c's capture time + {@code maxOutOfOrderness} (an event-time timer), or when the newest
 *       accepted seq is at least {@code maxGap} ahead of m. Frames shuffled within these bounds therefore come out
 *       in order with both neighbours; a frame whose successor never comes is emitted with {@code next} absent.</li>
 *   <li><b>Duplicates.</b> A frame whose seq is buffered, or was emitted at most {@code maxGap} seqs behind the
 *       last centre, is dropped and counted ({@value #DUPLICATE_METRIC}); the first copy wins.</li>
 *   <li><b>Late frames.</b> A frame with a seq at or below the last centre's that is not a duplicate arrived after
 *       its place in the order was passed. It is counted ({@value #LATE_METRIC}) and emitted at once as a triplet
 *       without neighbours, so no frame is silently lost, and the order of later centres is unaffected. (A copy
 *       of a frame emitted more than {@code maxGap} seqs before the last centre can no longer be told from a late
 *       frame and is emitted again; remembering every seq forever would make the state grow without bound.)</li>
 *   <li><b>Gaps.</b> A frame more than {@code maxGap} seqs ahead of the newest accepted one is a gap (counted,
 *       {@value #GAP_METRIC}): the frames before it are emitted at once (the last with {@code next} absent), and
 *       the new frame starts a new chain (its {@code prev} absent). A frame more than {@code maxGap} seqs behind
 *       the last centre but captured after it means the camera restarted its numbering: the buffer is emitted,
 *       the chain is reset and the frame starts a new one (also counted as a gap).</li>
 *   <li><b>Idle cameras.</b> {@code idleTimeout} of processing time after a camera's last accepted frame, the
 *       buffer is emitted regardless of watermarks ({@value #IDLE_FLUSH_METRIC}), so the tail of a stream that
 *       stopped comes out; a frame following later still gets the last centre as {@code prev}.</li>
 *   <li><b>End of input.</b> A bounded input ends with the maximal watermark, which fires every event-time timer
 *       and so emits everything buffered.</li>
 *   <li><b>State TTL.</b> All per-camera state expires {@code stateTtl} (processing time) after it was written;
 *       a camera heard of again after that starts afresh.</li>
 * </ul>
 * Out-of-order arrivals (a frame below the newest accepted seq) are counted in {@value #OUT_OF_ORDER_METRIC} and
 * emitted triplets in {@value #TRIPLETS_METRIC}.
 *
 * <p>With {@link FineTuneSampling} (online fine-tuning on), each emitted triplet the sampling picks is also
 * emitted on the side output {@link #FINE_TUNE} for the learner ({@value #SAMPLED_METRIC}; full triplets skipped
 * because the camera stood still in {@value #STATIC_METRIC}). Only picked triplets are copied to the side output.
 */
public final class TripletAssembler extends KeyedProcessFunction<String, Frame, Triplet> {

    private static final long serialVersionUID = 1L;

    /** Counter of accepted frames that arrived after a frame with a higher seq. */
    public static final String OUT_OF_ORDER_METRIC = "outOfOrderFrames";
    /** Counter of dropped duplicate frames. */
    public static final String DUPLICATE_METRIC = "duplicateFrames";
    /** Counter of gaps larger than {@code maxGap} and of sequence restarts. */
    public static final String GAP_METRIC = "gaps";
    /** Counter of frames that arrived after their place was passed (emitted without neighbours). */
    public static final String LATE_METRIC = "lateFrames";
    /** Counter of buffer flushes by the idle timeout. */
    public static final String IDLE_FLUSH_METRIC = "idleFlushes";
    /** Counter of emitted triplets. */
    public static final String TRIPLETS_METRIC = "tripletsEmitted";

    /** Counter of triplets handed to the online learner. */
    public static final String SAMPLED_METRIC = "fineTuneSampled";
    /** Counter of drawn full triplets not handed to the learner because the camera did not move. */
    public static final String STATIC_METRIC = "fineTuneStatic";

    /** Side output of the triplets sampled for the online learner. */
    public static final OutputTag<Triplet> FINE_TUNE = new OutputTag<>("fine-tune", TypeInformation.of(Triplet.class));

    private final TripletTiming timing;
    private final FineTuneSampling sampling;

    private transient MapState<Long, Frame> pending;
    private transient ValueState<Frame> lastCentre;
    private transient ValueState<Long> newestSeq;
    private transient MapState<Long, Boolean> recentlyEmitted;
    private transient ValueState<Long> idleDeadline;

    private transient Counter outOfOrder;
    private transient Counter duplicates;
    private transient Counter gaps;
    private transient Counter late;
    private transient Counter idleFlushes;
    private transient Counter triplets;
    private transient Counter sampled;
    private transient Counter staticTriplets;

    /** An assembler waiting and remembering as {@code timing} says, sampling nothing for a learner. */
    public TripletAssembler(TripletTiming timing) {
        this(timing, null);
    }

    /**
     * An assembler waiting and remembering as {@code timing} says that also emits the triplets {@code sampling}
     * picks on {@link #FINE_TUNE}.
     *
     * @param sampling which triplets go to the learner, or null when nothing does
     */
    public TripletAssembler(TripletTiming timing, FineTuneSampling sampling) {
        if (timing == null) {
            throw new IllegalArgumentException("triplet timing is required");
        }
        this.timing = timing;
        this.sampling = sampling;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(timing.stateTtl())
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .build();
        TypeInformation<Frame> frameType = TypeInformation.of(Frame.class);
        MapStateDescriptor<Long, Frame> pendingDescriptor = new MapStateDescriptor<>("pending", Types.LONG, frameType);
        ValueStateDescriptor<Frame> lastCentreDescriptor = new ValueStateDescriptor<>("last-centre", frameType);
        ValueStateDescriptor<Long> newestDescriptor = new ValueStateDescriptor<>("newest-seq", Types.LONG);
        MapStateDescriptor<Long, Boolean> emittedDescriptor =
                new MapStateDescriptor<>("recently-emitted", Types.LONG, Types.BOOLEAN);
        ValueStateDescriptor<Long> idleDescriptor = new ValueStateDescriptor<>("idle-deadline", Types.LONG);
        pendingDescriptor.enableTimeToLive(ttl);
        lastCentreDescriptor.enableTimeToLive(ttl);
        newestDescriptor.enableTimeToLive(ttl);
        emittedDescriptor.enableTimeToLive(ttl);
        idleDescriptor.enableTimeToLive(ttl);
        pending = getRuntimeContext().getMapState(pendingDescriptor);
        lastCentre = getRuntimeContext().getState(lastCentreDescriptor);
        newestSeq = getRuntimeContext().getState(newestDescriptor);
        recentlyEmitted = getRuntimeContext().getMapState(emittedDescriptor);
        idleDeadline = getRuntimeContext().getState(idleDescriptor);

        var metrics = getRuntimeContext().getMetricGroup();
        outOfOrder = metrics.counter(OUT_OF_ORDER_METRIC);
        duplicates = metrics.counter(DUPLICATE_METRIC);
        gaps = metrics.counter(GAP_METRIC);
        late = metrics.counter(LATE_METRIC);
        idleFlushes = metrics.counter(IDLE_FLUSH_METRIC);
        triplets = metrics.counter(TRIPLETS_METRIC);
        sampled = metrics.counter(SAMPLED_METRIC);
        staticTriplets = metrics.counter(STATIC_METRIC);
    }

    @Override
    public void processElement(Frame frame, Context context, Collector<Triplet> out) throws Exception {
        long seq = frame.seq();
        if (pending.contains(seq)) {
            duplicates.inc();
            return;
        }
        Frame centre = lastCentre.value();
        if (centre != null && seq <= centre.seq()) {
            if (recentlyEmitted.contains(seq)) {
                duplicates.inc();
                return;
            }
            boolean renumbered = centre.seq() - seq > timing.maxGap() && frame.captureTimeMs() > centre.captureTimeMs();
            if (!renumbered) {
                late.inc();
                if (centre.seq() - seq <= timing.maxGap()) {
                    recentlyEmitted.put(seq, Boolean.TRUE);
                }
                emit(new Triplet(null, frame, null), context, out);
                return;
            }
            gaps.inc();
            drain(Long.MAX_VALUE, true, context, out);
            lastCentre.clear();
            newestSeq.clear();
            recentlyEmitted.clear();
        }

        Long newest = newestSeq.value();
        if (newest != null) {
            if (seq - newest > timing.maxGap()) {
                gaps.inc();
            } else if (seq < newest) {
                outOfOrder.inc();
            }
        }
        pending.put(seq, frame);
        if (newest == null || seq > newest) {
            newestSeq.update(seq);
        }
        context.timerService().registerEventTimeTimer(deadline(frame));
        refreshIdleTimer(context);
        drain(context.timerService().currentWatermark(), false, context, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<Triplet> out) throws Exception {
        if (context.timeDomain() == TimeDomain.PROCESSING_TIME) {
            Long due = idleDeadline.value();
            if (due == null || due != timestamp) {
                return;
            }
            idleDeadline.clear();
            if (!pending.isEmpty()) {
                idleFlushes.inc();
                drain(Long.MAX_VALUE, true, context, out);
            }
            return;
        }
        drain(context.timerService().currentWatermark(), false, context, out);
    }

    /**
     * Emits buffered frames from the lowest seq up while their neighbours are settled (all of them when
     * {@code force}).
     */
    private void drain(long watermark, boolean force, Context context, Collector<Triplet> out) throws Exception {
        List<Long> seqs = new ArrayList<>();
        for (Long seq : pending.keys()) {
            seqs.add(seq);
        }
        if (seqs.isEmpty()) {
            return;
        }
        Collections.sort(seqs);
        Long newestValue = newestSeq.value();
        long newest = newestValue == null ? seqs.get(seqs.size() - 1) : newestValue;
        Frame previous = lastCentre.value();
        Frame emittedLast = null;
        for (long seq : seqs) {
            Frame frame = pending.get(seq);
            Frame next = pending.get(seq + 1);
            boolean expired = force || deadline(frame) <= watermark;
            boolean prevPresent = previous != null && previous.seq() == seq - 1;
            boolean predecessorSettled = expired || prevPresent || newest - (seq - 1) >= timing.maxGap();
            boolean successorSettled = expired || next != null || newest - (seq + 1) >= timing.maxGap();
            if (!predecessorSettled || !successorSettled) {
                break;
            }
            emit(new Triplet(prevPresent ? previous : null, frame, next), context, out);
            pending.remove(seq);
            recentlyEmitted.put(seq, Boolean.TRUE);
            previous = frame;
            emittedLast = frame;
        }
        if (emittedLast != null) {
            lastCentre.update(emittedLast);
            forgetEmittedBefore(emittedLast.seq() - timing.maxGap());
        }
    }

    private void forgetEmittedBefore(long oldestKept) throws Exception {
        List<Long> stale = new ArrayList<>();
        for (Long seq : recentlyEmitted.keys()) {
            if (seq < oldestKept) {
                stale.add(seq);
            }
        }
        for (Long seq : stale) {
            recentlyEmitted.remove(seq);
        }
    }

    private void emit(Triplet triplet, Context context, Collector<Triplet> out) {
        triplets.inc();
        out.collect(triplet);
        if (sampling != null) {
            switch (sampling.decide(triplet)) {
                case SAMPLED -> {
                    sampled.inc();
                    context.output(FINE_TUNE, triplet);
                }
                case STATIC -> staticTriplets.inc();
                default -> {
                    // incomplete or not drawn: nothing to learn from or not wanted
                }
            }
        }
    }

    private void refreshIdleTimer(Context context) throws Exception {
        Long previous = idleDeadline.value();
        if (previous != null) {
            context.timerService().deleteProcessingTimeTimer(previous);
        }
        long due = saturatedAdd(context.timerService().currentProcessingTime(), timing.idleTimeout().toMillis());
        context.timerService().registerProcessingTimeTimer(due);
        idleDeadline.update(due);
    }

    /** Event time at which a frame stops waiting for missing neighbours. */
    private long deadline(Frame frame) {
        return saturatedAdd(frame.captureTimeMs(), timing.maxOutOfOrderness().toMillis());
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
