package io.depthstream.pipeline.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.io.PackedWeights;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import io.depthstream.operators.learner.ModelStore;
import io.depthstream.operators.learner.PublishedVersion;
import io.depthstream.operators.learner.VersionMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.depthstream.pipeline.cli.DepthstreamCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class ModelsCommandTest {

    private static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 64);
    private static final Instant CREATED = Instant.parse("2025-06-01T12:00:00.123Z");

    @TempDir
    Path dir;

    /** v0: a start model; v1: fine-tuned from v0 with measured losses. */
    private ModelStore storeWithTwoVersions() {
        ModelStore store = new ModelStore(dir.resolve("store").toString());
        try (DepthModel start = DepthModel.initialise(LITE, Device.cpu(), 1);
                DepthModel tuned = DepthModel.initialise(LITE, Device.cpu(), 2)) {
            store.publish(start, VersionMetrics.of(0, Double.NaN, Double.NaN, CREATED));
            store.publish(tuned, new VersionMetrics(250, 0.125, 0.1875, CREATED.plusSeconds(90), 0, null,
                    Map.of("abs_rel", 0.25)));
        }
        return store;
    }

    @Test
    void listShowsEveryVersionWithItsMetricsAndNamesTheLatest() throws Exception {
        ModelStore store = storeWithTwoVersions();
        // a publication that never finished is not a version
        Files.createDirectory(dir.resolve("store/v2"));

        DepthstreamCommandTest.Run result = run("models", "list", "--store", store.uri());

        assertThat(result.exit()).as(result.err()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).containsSubsequence("version", "step", "held-out loss", "train loss", "created",
                "parent", "rollback of");
        assertThat(lines.get(1).split("\\s+"))
                .containsExactly("v0", "0", "-", "-", "2025-06-01T12:00:00.123Z", "-", "-");
        assertThat(lines.get(2).split("\\s+"))
                .containsExactly("v1", "250", "0.125000", "0.187500", "2025-06-01T12:01:30.123Z", "v0", "-");
        assertThat(lines.get(3)).isEqualTo("latest: v1");
    }

    @Test
    void showPrintsMetricsWeightsConfigurationAndFilesAsJson() throws Exception {
        ModelStore store = storeWithTwoVersions();

        DepthstreamCommandTest.Run result = run("models", "show", "--store", dir.resolve("store").toString(), "v1");

        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode shown = new ObjectMapper().readTree(result.out());
        assertThat(shown.path("version").asText()).isEqualTo("v1");
        assertThat(shown.path("uri").asText()).isEqualTo(store.uri() + "/v1");
        assertThat(shown.path("latest").asBoolean()).isTrue();
        assertThat(VersionMetrics.fromJson(shown.path("metrics"))).isEqualTo(store.version(1).orElseThrow().metrics());
        assertThat(shown.path("weights").path("config").path("architecture").asText()).isEqualTo("lite");
        assertThat(shown.path("weights").path("metadata").path("version").asText()).isEqualTo("v1");
        assertThat(shown.path("files").fieldNames()).toIterable()
                .containsExactly("_COMPLETE", "config.json", "depth.params", "metrics.json", "pose.params");
        assertThat(shown.path("files").path("depth.params").asLong())
                .isEqualTo(Files.size(dir.resolve("store/v1/depth.params")));

        DepthstreamCommandTest.Run first = run("models", "show", "--store", store.uri(), "0");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(new ObjectMapper().readTree(first.out()).path("latest").asBoolean()).isFalse();
        DepthstreamCommandTest.Run latest = run("models", "show", "--store", store.uri(), "latest");
        assertThat(new ObjectMapper().readTree(latest.out()).path("version").asText()).isEqualTo("v1");
    }

    @Test
    void rollbackPublishesTheOlderWeightsAsTheNewestVersion() throws Exception {
        ModelStore store = storeWithTwoVersions();

        DepthstreamCommandTest.Run result = run("models", "rollback", "--store", store.uri(), "--to", "v0");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("v2 (rollback of v0, step 0): " + store.uri() + "/v2"
                + System.lineSeparator());
        PublishedVersion latest = store.latest().orElseThrow();
        assertThat(latest.name()).isEqualTo("v2");
        assertThat(latest.metrics().rollbackOf()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("store/v2/depth.params")))
                .isEqualTo(Files.readAllBytes(dir.resolve("store/v0/depth.params")));
        DepthstreamCommandTest.Run list = run("models", "list", "--store", store.uri());
        assertThat(list.out().lines().toList().get(3).split("\\s+")[6]).isEqualTo("v0");
    }

    @Test
    void aMissingStoreIsOneClearLine() {
        Path missing = dir.resolve("no-such-store");

        for (String[] args : List.of(new String[] {"models", "list", "--store", missing.toString()},
                new String[] {"models", "show", "--store", missing.toString(), "v0"},
                new String[] {"models", "rollback", "--store", missing.toString(), "--to", "0"})) {
            DepthstreamCommandTest.Run result = run(args);

            assertThat(result.exit()).as(args[1]).isEqualTo(1);
            assertThat(result.err().lines()).as(args[1]).containsExactly(
                    "error: no model store at file:" + missing + ": it does not exist");
        }
        assertThat(missing).doesNotExist();
    }

    @Test
    void anUnknownVersionOrAPointlessRollbackIsOneClearLine() {
        ModelStore store = storeWithTwoVersions();

        DepthstreamCommandTest.Run unknown = run("models", "show", "--store", store.uri(), "v5");
        DepthstreamCommandTest.Run badName = run("models", "rollback", "--store", store.uri(), "--to", "previous");
        DepthstreamCommandTest.Run toLatest = run("models", "rollback", "--store", store.uri(), "--to", "1");
        DepthstreamCommandTest.Run missing = run("models", "rollback", "--store", store.uri(), "--to", "7");

        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("error: no version v5 in model store " + store.uri()
                + " (versions: v0, v1)" + System.lineSeparator());
        assertThat(badName.exit()).isEqualTo(1);
        assertThat(badName.err().lines()).containsExactly(
                "error: 'previous' is not a model version: expected v<N> or N, e.g. v3");
        assertThat(toLatest.exit()).isEqualTo(1);
        assertThat(toLatest.err().lines()).singleElement().asString().contains("v1 is already the latest version");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err().lines()).singleElement().asString().contains("no complete version v7");
        assertThat(store.versions()).hasSize(2);
    }

    @Test
    void helpNamesTheSubcommandsAndAMissingOneIsAUsageError() {
        DepthstreamCommandTest.Run help = run("models", "--help");
        DepthstreamCommandTest.Run bare = run("models");
        DepthstreamCommandTest.Run noStore = run("models", "list");

        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("list").contains("show").contains("rollback").contains("_COMPLETE");
        assertThat(bare.exit()).isEqualTo(2);
        assertThat(bare.err()).contains("a subcommand is required: list, show, rollback or pack");
        assertThat(noStore.exit()).isEqualTo(2);
        assertThat(noStore.err()).contains("Missing required option: '--store=URI'");
    }

    @Test
    void packWritesTheCompactFormThatLoadsAsTheSameModel() throws Exception {
        Path weights = dir.resolve("weights");
        try (DepthModel model = DepthModel.initialise(LITE, Device.cpu(), 3)) {
            ModelWeights.save(model, weights, Map.of("step", 7));
        }
        Path packed = dir.resolve("packed");

        DepthstreamCommandTest.Run result = run("models", "pack", "--weights", weights.toString(), "--out",
                packed.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("packed " + weights).contains(packed.resolve(PackedWeights.FILE).toString())
                .contains("largest scale-0 disparity change");
        try (DepthModel loaded = PackedWeights.load(packed, Device.cpu())) {
            assertThat(loaded.config()).isEqualTo(LITE);
        }
        JsonNode metadata = ModelWeights.readMetadata(packed);
        assertThat(metadata.path("step").asInt()).isEqualTo(7);
        assertThat(metadata.path("packed_from").asText()).isEqualTo(weights.toAbsolutePath().normalize().toString());

        DepthstreamCommandTest.Run missing = run("models", "pack", "--weights", dir.resolve("nothing").toString(),
                "--out", dir.resolve("out").toString());
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("nothing").contains("does not exist");
    }
}
