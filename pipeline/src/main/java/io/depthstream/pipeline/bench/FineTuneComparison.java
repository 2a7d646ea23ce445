package io.depthstream.pipeline.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The streaming job measured without and with online fine-tuning in one bench run, on the same frames, batch and
 * start model, in the order off, on, off: the "off" figures pool both off runs, so drift of the machine's speed over
 * the three runs hits both sides about equally.
 *
 * @param runs every job run in the order it ran
 * @param fpsOff mean results per second of the off runs (each between its first and last result leaving inference)
 * @param fpsOn results per second of the on run
 * @param latencyMsP50Off median {@code ds.latency-ms} over the results of both off runs
 * @param latencyMsP99Off 99th percentile of the same
 * @param latencyMsP50On median over the on run's results
 * @param latencyMsP99On 99th percentile of the same
 * @param learnerSteps the learner's training steps from the job's start until it was stopped, just after its last
 *     result was read (its status in the model store, written at that stop's savepoint)
 * @param publishedVersions versions the learner published to the store in the on run, v0 (the start model,
 *     published before the job starts) not counted
 * @param rejectedCandidates candidates the regression guard rejected
 * @param droppedTriplets sampled triplets dropped from the learner's full buffer (training fell behind)
 * @param resultsPerVersion the on run's results per model version that computed them
 * @param learnerCpuSeconds CPU time of the learner's training thread and the PyTorch threads it started, between the
 *     on run's first and last result leaving inference; NaN when no such thread was found (not Linux)
 * @param learnerThreads how many such threads were found (the training thread and its OpenMP workers)
 * @param processCpuSecondsOn CPU time of the whole process in the same window
 * @param windowSecondsOn that window's length
 * @param cores processors available to the JVM
 * @param evaluateEvery the learner's steps between candidate judgements in this measurement
 * @param heldOutEvery every n-th sampled triplet was held out for the regression guard
 */
public record FineTuneComparison(List<JobRun> runs, double fpsOff, double fpsOn, double latencyMsP50Off,
        double latencyMsP99Off, double latencyMsP50On, double latencyMsP99On, long learnerSteps,
        int publishedVersions, long rejectedCandidates, long droppedTriplets, Map<String, Integer> resultsPerVersion,
        double learnerCpuSeconds, int learnerThreads, double processCpuSecondsOn, double windowSecondsOn, int cores,
        int evaluateEvery, int heldOutEvery) {

    public FineTuneComparison {
        runs = List.copyOf(runs);
        resultsPerVersion = Collections.unmodifiableMap(new LinkedHashMap<>(resultsPerVersion));
    }

    /**
     * One job run.
     *
     * @param fineTuning whether the learner ran
     * @param frames results read back
     * @param fps results per second between the first and the last result leaving inference
     * @param latencyMsP50 median {@code ds.latency-ms}
     * @param latencyMsP99 99th percentile {@code ds.latency-ms}
     * @param meanBatch mean inference batch
     * @param windowSeconds from the first to the last result leaving inference
     * @param processCpuSeconds the whole process's CPU time in that window
     * @param learnerCpuSeconds the learner's threads' CPU time in that window (0 without fine-tuning)
     */
    public record JobRun(boolean fineTuning, int frames, double fps, double latencyMsP50, double latencyMsP99,
            double meanBatch, double windowSeconds, double processCpuSeconds, double learnerCpuSeconds) {}

    /** Throughput with fine-tuning over throughput without. */
    public double fpsRatio() {
        return fpsOn / fpsOff;
    }

    /** p99 latency with fine-tuning over p99 latency without. */
    public double p99Ratio() {
        return latencyMsP99On / latencyMsP99Off;
    }

    /**
     * The learner's share of the machine's CPU in the on run: its threads' CPU time over the window's length times
     * the cores. NaN when its threads could not be measured.
     */
    public double learnerCpuShare() {
        return learnerCpuSeconds / (windowSecondsOn * cores);
    }

    /** The fraction of throughput lost to fine-tuning: 1 - {@link #fpsRatio()}. */
    public double throughputDrop() {
        return 1 - fpsRatio();
    }
}
