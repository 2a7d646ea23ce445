package io.depthstream.operators.codec;

import io.depthstream.model.device.DeviceChoice;
import io.depthstream.operators.schedule.CpuGate;
import io.depthstream.operators.schedule.DecodeLayout;
import io.depthstream.operators.schedule.DecodePlan;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decodes frame records on a pool of threads of its own ({@link FrameDecoder#outcome}), as many as the
 * TaskManager's {@link DecodePlan} says; in the {@link DecodeLayout#BETWEEN_BATCHES} layout each decode takes its
 * turn at the JVM's {@link CpuGate}, so it never runs while a model batch does. Flink's ordered async operator keeps
 * the records in order and checkpoints those still being decoded.
 */
public final class ParallelFrameDecoder extends RichAsyncFunction<IncomingFrame, DecodeOutcome> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ParallelFrameDecoder.class);

    private final FrameDecoder decoder;
    private final DecodeLayout layout;
    private final DeviceChoice device;

    private transient DecodePlan plan;
    private transient ExecutorService pool;
    private transient CpuGate gate;

    /**
     * @param networkWidth width frames are resized to
     * @param networkHeight height frames are resized to
     * @param layout the configured layout ({@link DecodeLayout#AUTO} resolves on each TaskManager)
     * @param device where inference runs, which {@code auto} depends on
     */
    public ParallelFrameDecoder(int networkWidth, int networkHeight, DecodeLayout layout, DeviceChoice device) {
        this.decoder = new FrameDecoder(networkWidth, networkHeight);
        this.layout = layout;
        this.device = device;
    }

    @Override
    public void open(OpenContext openContext) {
        plan = layout.resolveHere(device);
        gate = CpuGate.shared();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        AtomicInteger threads = new AtomicInteger();
        pool = Executors.newFixedThreadPool(plan.threads(), task -> {
            Thread thread = new Thread(task, "depthstream-decode-" + subtask + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        LOG.info("decode subtask {}: {}", subtask, plan.describe());
    }

    /** The plan this subtask decodes by (after {@code open}). */
    public DecodePlan plan() {
        return plan;
    }

    @Override
    public void asyncInvoke(IncomingFrame incoming, ResultFuture<DecodeOutcome> result) {
        boolean turns = plan.takesTurns();
        try {
            pool.execute(() -> {
                try {
                    if (turns) {
                        gate.enterDecode();
                    }
                    DecodeOutcome outcome;
                    try {
                        outcome = decoder.outcome(incoming);
                    } finally {
                        if (turns) {
                            gate.exitDecode();
                        }
                    }
                    result.complete(List.of(outcome));
                } catch (InterruptedException e) {
                    // the subtask is closing: the record was not decoded and is decoded again after recovery
                    Thread.currentThread().interrupt();
                    result.completeExceptionally(e);
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
    }

    @Override
    public void close() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
        }
        super.close();
    }
}
