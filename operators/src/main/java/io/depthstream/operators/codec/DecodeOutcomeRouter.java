package io.depthstream.operators.codec;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sends decoded frames on and rejected records to {@link FrameDecoder#REJECTED}, with the counters
 * {@value FrameDecoder#ACCEPTED_METRIC} and {@value FrameDecoder#REJECTED_METRIC}.
 */
public final class DecodeOutcomeRouter extends ProcessFunction<DecodeOutcome, Frame> {

    private static final long serialVersionUID = 1L;

    private transient Counter accepted;
    private transient Counter rejected;

    @Override
    public void open(OpenContext openContext) {
        accepted = getRuntimeContext().getMetricGroup().counter(FrameDecoder.ACCEPTED_METRIC);
        rejected = getRuntimeContext().getMetricGroup().counter(FrameDecoder.REJECTED_METRIC);
    }

    @Override
    public void processElement(DecodeOutcome outcome, Context context, Collector<Frame> out) {
        FrameDecoder.route(outcome, accepted, rejected, context, out);
    }
}
