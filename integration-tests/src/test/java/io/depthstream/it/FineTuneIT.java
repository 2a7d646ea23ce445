package io.depthstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.pipeline.cli.DepthstreamCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code depthstream demo --fine-tune} end to end: a real Kafka broker and Flink MiniCluster, the learner training in
 * the job while inference serves, versions published to the store and swapped in by inference.
 */
class FineTuneIT {

    @Test
    void theStreamFineTunesPublishesVersionsAndServesThem(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        commandLine.setOut(new PrintWriter(stdout, true));
        commandLine.setErr(new PrintWriter(stderr, true));

        // 2 cameras x 100 frames at 10 Hz: ten seconds of stream; the first version is published after about 20
        // sampled triplets and 4 steps (a few seconds with the learner throttled to half the time on one thread)
        int exit = commandLine.execute("demo", "--fine-tune", "--init", "random", "--arch", "lite", "--height", "64",
                "--width", "192",
                "--frames", "100", "--rate", "10", "--out-dir", out.toString());

        assertThat(exit).as(stderr.toString()).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("results_out").asInt()).isEqualTo(200);
        JsonNode fineTune = summary.path("fine_tune");
        for (String key : List.of("steps", "published_versions", "heldout_loss_first", "heldout_loss_last",
                "abs_rel_first_version", "abs_rel_last_version", "results_per_version")) {
            assertThat(fineTune.has(key)).as(key + " in " + fineTune).isTrue();
        }
        // 2 x 98 full triplets, 1 in 5 held out: 157 trained on, each 4 times on average (the demo's replay), so at
        // most 157 steps of 4; fewer when the learner is slower than the stream
        assertThat(fineTune.path("steps").asLong()).as(fineTune.toString()).isBetween(4L, 157L);
        assertThat(fineTune.path("published_versions").asInt()).as(fineTune.toString()).isPositive();
        assertThat(fineTune.path("heldout_loss_last").asDouble()).as("held-out loss falls: " + fineTune)
                .isLessThan(fineTune.path("heldout_loss_first").asDouble());

        List<String> served = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> versions = fineTune.path("results_per_version").fields();
        int results = 0;
        while (versions.hasNext()) {
            Map.Entry<String, JsonNode> entry = versions.next();
            served.add(entry.getKey());
            results += entry.getValue().asInt();
        }
        assertThat(results).isEqualTo(200);
        assertThat(served).as("versions in the results, in order of first appearance").first().isEqualTo("v0");
        assertThat(served).as("inference switched to a published version while the stream ran: " + fineTune)
                .hasSizeGreaterThanOrEqualTo(2)
                .allMatch(name -> name.matches("v\\d+"));
        assertThat(served.stream().map(PublishedVersion::parseNumber).toList()).isSorted();

        ModelStore store = new ModelStore(out.resolve("models").toString());
        assertThat(store.versions()).hasSize(1 + fineTune.path("published_versions").asInt());
        assertThat(stderr.toString()).contains("learner: published v1");
    }

    /**
     * {@code demo --fine-tune} with no other flag: the shipped model adapts to drives in the alternate palette, and
     * the newest version beats v0 on the held-out drive's photometric loss and on abs_rel.
     */
    @Test
    void theDefaultFineTuningDemoAdaptsTheShippedModelToADomainShift(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        StringWriter stderr = new StringWriter();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(stderr, true));

        int exit = commandLine.execute("demo", "--fine-tune", "--out-dir", out.toString());

        assertThat(exit).as(stderr.toString()).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("results_out").asInt()).isEqualTo(480);
        assertThat(summary.path("note").asText()).contains("alternate palette");
        JsonNode fineTune = summary.path("fine_tune");
        assertThat(fineTune.path("published_versions").asInt()).as(fineTune.toString()).isGreaterThanOrEqualTo(2);
        assertThat(fineTune.path("heldout_loss_last").asDouble()).as(fineTune.toString())
                .isLessThan(fineTune.path("heldout_loss_first").asDouble());
        assertThat(fineTune.path("abs_rel_last_version").asDouble()).as(fineTune.toString())
                .isLessThan(fineTune.path("abs_rel_first_version").asDouble());
    }
}
