package io.depthstream.operators.codec;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.operators.schedule.DecodeLayout;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.concurrent.TimeUnit;

/**
 * The job's decoding stage: frame records in, frames at network resolution out, rejected records on the side output
 * {@link FrameDecoder#REJECTED}. Records are decoded on several threads ({@link ParallelFrameDecoder}) and leave in
 * the order they came.
 */
public final class FrameDecoding {

    /** Uid of the ordered async decode operator (its state: the records being decoded at a checkpoint). */
    public static final String DECODE_UID = "decode";
    /** Uid of the operator that routes outcomes to frames and the dead-letter side output (no state). */
    public static final String ROUTE_UID = "decode-route";

    /**
     * Records in flight per decode thread: enough that a thread finding the gate open always has the next record, few
     * enough that the records waiting in a checkpoint stay small.
     */
    static final int IN_FLIGHT_PER_THREAD = 2;
    /** Smallest number of records in flight, whatever the thread count. */
    static final int MIN_IN_FLIGHT = 4;

    private FrameDecoding() {
    }

    /**
     * Decodes {@code records}.
     *
     * @param records frame records as read from Kafka
     * @param width network input width
     * @param height network input height
     * @param layout {@code model.decode}
     * @param device {@code model.device}, which {@link DecodeLayout#AUTO} depends on
     * @return the frames, whose {@link SingleOutputStreamOperator#getSideOutput} of {@link FrameDecoder#REJECTED}
     *     holds the rejected records
     */
    public static SingleOutputStreamOperator<Frame> apply(DataStream<IncomingFrame> records, int width, int height,
            DecodeLayout layout, DeviceChoice device) {
        int threadsAtMost = Runtime.getRuntime().availableProcessors();
        int capacity = Math.max(MIN_IN_FLIGHT, IN_FLIGHT_PER_THREAD * threadsAtMost);
        // no timeout (0): a record waits for its turn as long as a batch runs
        return AsyncDataStream.orderedWait(records, new ParallelFrameDecoder(width, height, layout, device), 0,
                        TimeUnit.MILLISECONDS, capacity)
                .returns(TypeInformation.of(DecodeOutcome.class))
                .name("decode + resize")
                .uid(DECODE_UID)
                .process(new DecodeOutcomeRouter())
                .name("decoded or dead-lettered")
                .uid(ROUTE_UID);
    }
}
