package io.depthstream.pipeline.embedded;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * What a demo run reports, written as {@code summary.json}.
 *
 * @param framesIn frame records sent to the frames topic
 * @param resultsOut depth results committed on the depth topic
 * @param posesOut pose records committed on the poses topic
 * @param dlq records on the dead-letter topic
 * @param fps results per second of wall-clock time, from the first frame sent to the last result committed
 * @param latencyMsP50 median of {@code ds.latency-ms} (frame read by the job → result emitted)
 * @param latencyMsP99 99th percentile of {@code ds.latency-ms}
 * @param absRel mean abs_rel against ground truth (per-image median scaling, Eigen crop and range), or null
 *     without ground truth
 * @param a1 mean δ &lt; 1.25 against ground truth, or null
 * @param evaluatedFrames frames compared with ground truth
 * @param modelVersion model version the results carry (the newest, with fine-tuning)
 * @param model the model the demo started from: {@code lite-synthetic (shipped, trained on synthetic drives)}, the
 *     weights directory, or the seeded random network's version
 * @param resultsPerCamera depth results per camera id
 * @param note what the numbers mean for this run (e.g. random weights)
 * @param fineTune what the online learner did, or null without {@code --fine-tune}
 */
public record DemoSummary(
        @JsonProperty("frames_in") int framesIn,
        @JsonProperty("results_out") int resultsOut,
        @JsonProperty("poses_out") int posesOut,
        @JsonProperty("dlq") int dlq,
        @JsonProperty("fps") double fps,
        @JsonProperty("latency_ms_p50") double latencyMsP50,
        @JsonProperty("latency_ms_p99") double latencyMsP99,
        @JsonProperty("abs_rel") Double absRel,
        @JsonProperty("a1") Double a1,
        @JsonProperty("evaluated_frames") int evaluatedFrames,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("model") String model,
        @JsonProperty("results_per_camera") Map<String, Integer> resultsPerCamera,
        @JsonProperty("note") String note,
        @JsonProperty("fine_tune") FineTuneSummary fineTune) {

    /**
     * What the online learner did in a demo.
     *
     * @param steps training steps taken
     * @param publishedVersions versions published after v0 (the start model)
     * @param heldoutLossFirst v0's photometric loss on the held-out drive (rendered with the streamed ones, never
     *     streamed), or null without one (KITTI data with no drive beyond the cameras)
     * @param heldoutLossLast the newest version's photometric loss on the same triplets of that drive, or null
     * @param absRelFirstVersion abs_rel of v0 against ground truth, or null without ground truth
     * @param absRelLastVersion abs_rel of the newest version against ground truth, or null without ground truth
     * @param lastVersion the newest version
     * @param resultsPerVersion depth results by the model version that computed them, in order of first appearance
     */
    public record FineTuneSummary(
            @JsonProperty("steps") long steps,
            @JsonProperty("published_versions") int publishedVersions,
            @JsonProperty("heldout_loss_first") Double heldoutLossFirst,
            @JsonProperty("heldout_loss_last") Double heldoutLossLast,
            @JsonProperty("abs_rel_first_version") Double absRelFirstVersion,
            @JsonProperty("abs_rel_last_version") Double absRelLastVersion,
            @JsonProperty("last_version") String lastVersion,
            @JsonProperty("results_per_version") Map<String, Integer> resultsPerVersion) {}
}
