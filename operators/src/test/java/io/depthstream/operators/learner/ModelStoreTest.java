package io.depthstream.operators.learner;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.depthstream.model.io.ModelWeights;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The model store on a real lite model: publication, visibility, no overwriting, loading, rollback, locations. */
class ModelStoreTest {

    private static final ModelConfig LITE = ModelConfig.monodepth2(Architecture.LITE).withSize(64, 64);
    private static final Instant CREATED = Instant.parse("2025-06-01T12:00:00.123456Z");
    private static final List<String> VERSION_FILES =
            List.of("_COMPLETE", "config.json", "depth.params", "metrics.json", "pose.params");

    @TempDir
    Path dir;

    private static DepthModel model(int seed) {
        return DepthModel.initialise(LITE, Device.cpu(), seed);
    }

    private static VersionMetrics metrics(long step) {
        return VersionMetrics.of(step, 0.125 + step, 0.25 + step, CREATED.plusSeconds(step));
    }

    private static PublishedVersion publish(ModelStore store, int seed, VersionMetrics metrics) {
        try (DepthModel model = model(seed)) {
            return store.publish(model, metrics);
        }
    }

    /** Every parameter and batch-norm statistic of both networks, by name, plus the scale-0 disparity of one image. */
    private static Map<String, float[]> state(DepthModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> pair : model.depthNet().getParameters()) {
            out.put("depth." + pair.getKey(), pair.getValue().getArray().toFloatArray());
        }
        for (Pair<String, Parameter> pair : model.poseNet().getParameters()) {
            out.put("pose." + pair.getKey(), pair.getValue().getArray().toFloatArray());
        }
        float[] pixels = new float[3 * LITE.height() * LITE.width()];
        Random random = new Random(11);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        try (NDManager batch = model.manager().newSubManager()) {
            out.put("prediction", model.depth(batch.create(pixels, new Shape(1, 3, LITE.height(), LITE.width())),
                    false).disparities().get(0).toFloatArray());
        }
        return out;
    }

    private static void assertSameState(Map<String, float[]> actual, Map<String, float[]> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        // isEqualTo compares arrays element by element; containsExactly would diff them quadratically first
        expected.forEach((name, values) -> assertThat(actual.get(name)).as(name).isEqualTo(values));
    }

    private static Map<String, float[]> stateOfSeed(int seed) {
        try (DepthModel model = model(seed)) {
            return state(model);
        }
    }

    private static List<String> fileNames(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void publishedVersionsAreListedByNumberAndTheHighestIsLatest() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("store").toString());
        assertThat(store.exists()).isFalse();
        assertThat(store.versions()).isEmpty();
        assertThat(store.latest()).isEmpty();

        VersionMetrics start = VersionMetrics.of(0, Double.NaN, Double.NaN, CREATED);
        VersionMetrics tuned = new VersionMetrics(120, 0.125, 0.25, CREATED.plusSeconds(60), 0, null,
                Map.of("abs_rel", 0.5));
        PublishedVersion v0 = publish(store, 1, start);
        PublishedVersion v1 = publish(store, 2, tuned);

        assertThat(store.exists()).isTrue();
        assertThat(v0.name()).isEqualTo("v0");
        assertThat(v1.name()).isEqualTo("v1");
        assertThat(v1.uri()).isEqualTo(store.uri() + "/v1").startsWith("file:/");
        assertThat(store.versions()).containsExactly(v0, v1);
        assertThat(store.latest()).contains(v1);
        assertThat(store.version(0).orElseThrow().metrics()).isEqualTo(start);
        assertThat(store.version(0).orElseThrow().metrics().heldOutLoss()).isNaN();
        assertThat(store.version(1).orElseThrow().metrics()).isEqualTo(tuned);
        assertThat(fileNames(dir.resolve("store/v1"))).containsExactlyElementsOf(VERSION_FILES);
        assertThat(store.files(1).keySet()).containsExactlyElementsOf(VERSION_FILES);
        assertThat(store.files(1).get("_COMPLETE")).isZero();
        assertThat(ModelWeights.readMetadata(dir.resolve("store/v1")).path("version").asText()).isEqualTo("v1");
        assertThat(ModelWeights.readMetadata(dir.resolve("store/v1")).path("step").asLong()).isEqualTo(120);
        assertThat(store.weightsConfig(1).path("config").path("architecture").asText()).isEqualTo("lite");
    }

    @Test
    void aVersionWithoutItsMarkerIsInvisibleAndItsNumberIsNeverReused() throws Exception {
        ModelStore store = new ModelStore(dir.toString());
        PublishedVersion v0 = publish(store, 1, metrics(0));
        // a publisher that died after copying everything but before the marker
        Path halfWritten = Files.createDirectory(dir.resolve("v1"));
        for (String name : List.of("config.json", "depth.params", "pose.params", "metrics.json")) {
            Files.copy(dir.resolve("v0").resolve(name), halfWritten.resolve(name));
        }

        assertThat(store.versions()).containsExactly(v0);
        assertThat(store.latest()).contains(v0);
        assertThat(store.version(1)).isEmpty();
        assertThatThrownBy(() -> store.load(1, Device.cpu()))
                .isInstanceOf(ModelStoreException.class)
                .hasMessageContaining("no complete version v1").hasMessageContaining("versions: v0");
        assertThatThrownBy(() -> ModelStore.load(store.uri() + "/v1", Device.cpu()))
                .isInstanceOf(ModelStoreException.class).hasMessageContaining("not a complete model version");

        PublishedVersion next = publish(store, 2, metrics(5));

        assertThat(next.number()).isEqualTo(2);
        assertThat(store.versions()).extracting(PublishedVersion::name).containsExactly("v0", "v2");
        assertThat(store.latest()).contains(next);
        assertThat(fileNames(halfWritten)).doesNotContain(ModelStore.COMPLETE_MARKER);
    }

    @Test
    void publishingNeverOverwritesAnExistingVersion() throws Exception {
        ModelStore store = new ModelStore(dir.toString());
        PublishedVersion v0 = publish(store, 1, metrics(0));
        byte[] depth = Files.readAllBytes(dir.resolve("v0/depth.params"));
        byte[] config = Files.readAllBytes(dir.resolve("v0/config.json"));

        try (DepthModel other = model(2)) {
            assertThatThrownBy(() -> store.publishAs(0, other, metrics(9)))
                    .isInstanceOf(ModelStoreException.class)
                    .hasMessageContaining("version v0 already exists").hasMessageContaining("nothing was overwritten");
            // a concurrent publisher has just created v1 and not written anything yet
            Files.createDirectory(dir.resolve("v1"));
            assertThatThrownBy(() -> store.publishAs(1, other, metrics(9)))
                    .isInstanceOf(ModelStoreException.class).hasMessageContaining("version v1 already exists");
            assertThat(fileNames(dir.resolve("v1"))).isEmpty();
        }

        assertThat(Files.readAllBytes(dir.resolve("v0/depth.params"))).isEqualTo(depth);
        assertThat(Files.readAllBytes(dir.resolve("v0/config.json"))).isEqualTo(config);
        assertThat(store.versions()).containsExactly(v0);
        assertThat(publish(store, 3, metrics(10)).name()).isEqualTo("v2");
    }

    @Test
    void loadedWeightsEqualThePublishedWeightsExactly() {
        ModelStore store = new ModelStore(dir.toString());
        Map<String, float[]> published;
        PublishedVersion version;
        try (DepthModel model = model(7)) {
            published = state(model);
            version = store.publish(model, metrics(3));
        }

        try (DepthModel loaded = store.load(0, Device.cpu())) {
            assertSameState(state(loaded), published);
        }
        try (DepthModel byUri = ModelStore.load(version.uri(), Device.cpu())) {
            assertSameState(state(byUri), published);
        }
    }

    @Test
    void rollbackRepublishesAnOlderVersionAsTheNewest() throws Exception {
        ModelStore store = new ModelStore(dir.toString());
        VersionMetrics first = VersionMetrics.of(40, 0.5, 0.75, CREATED);
        publish(store, 1, first);
        publish(store, 2, metrics(80).withParent(0));
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        PublishedVersion rolledBack = store.rollback(0);

        assertThat(rolledBack.name()).isEqualTo("v2");
        assertThat(rolledBack.metrics().rollbackOf()).isEqualTo(0);
        assertThat(rolledBack.metrics().step()).isEqualTo(40);
        assertThat(rolledBack.metrics().heldOutLoss()).isEqualTo(0.5);
        assertThat(rolledBack.metrics().parent()).isNull();
        assertThat(rolledBack.metrics().created()).isAfterOrEqualTo(before);
        assertThat(store.latest()).contains(rolledBack);
        assertThat(store.versions()).extracting(PublishedVersion::name).containsExactly("v0", "v1", "v2");
        for (String params : List.of("depth.params", "pose.params")) {
            assertThat(Files.readAllBytes(dir.resolve("v2").resolve(params)))
                    .isEqualTo(Files.readAllBytes(dir.resolve("v0").resolve(params)));
        }
        assertThat(ModelWeights.readMetadata(dir.resolve("v2")).path("version").asText()).isEqualTo("v2");
        assertThat(ModelWeights.readMetadata(dir.resolve("v2")).path("rollback_of").asInt()).isZero();
        assertThat(ModelWeights.readMetadata(dir.resolve("v0")).path("version").asText()).isEqualTo("v0");
        Map<String, float[]> seedOne = stateOfSeed(1);
        // the two versions differ, so equality with v0 below says which weights v2 holds
        assertThat(stateOfSeed(2).get("prediction")).isNotEqualTo(seedOne.get("prediction"));
        try (DepthModel loaded = store.load(2, Device.cpu())) {
            assertSameState(state(loaded), seedOne);
        }
        assertThatThrownBy(() -> store.rollback(7))
                .isInstanceOf(ModelStoreException.class).hasMessageContaining("no complete version v7");
        assertThat(store.versions()).hasSize(3);
    }

    @Test
    void aFileUriAndAPlainPathNameTheSameStore() {
        Path location = dir.resolve("models");
        ModelStore byUri = new ModelStore("file://" + location);
        ModelStore byShortUri = new ModelStore("file:" + location + "/");
        ModelStore byPath = new ModelStore(location.toString());
        ModelStore byRelativePath = new ModelStore(
                Path.of("").toAbsolutePath().relativize(location).toString());

        PublishedVersion published = publish(byUri, 1, metrics(0));

        assertThat(byUri.uri()).isEqualTo("file:" + location);
        assertThat(byShortUri.uri()).isEqualTo(byUri.uri());
        assertThat(byPath.uri()).isEqualTo(byUri.uri());
        assertThat(byRelativePath.uri()).isEqualTo(byUri.uri());
        assertThat(byPath.versions()).containsExactly(published);
        assertThat(location.resolve("v0").resolve(ModelStore.COMPLETE_MARKER)).isRegularFile();
    }

    @Test
    void aPathWithSpacesRoundTripsThroughTheVersionUri() {
        ModelStore store = new ModelStore(dir.resolve("my models").toString());
        PublishedVersion published = publish(store, 4, metrics(1));

        assertThat(published.uri()).endsWith("/my models/v0");
        assertThat(new ModelStore(store.uri()).versions()).containsExactly(published);
        try (DepthModel loaded = ModelStore.load(published.uri(), Device.cpu())) {
            assertSameState(state(loaded), stateOfSeed(4));
        }
    }

    @Test
    void aStoreOnAnotherFileSystemWritesAndReadsThroughIt() throws Exception {
        // Flink's test:// file system keeps files locally but is not the local one: every copy goes through streams
        ModelStore store = new ModelStore("test://" + dir.resolve("remote"));
        assertThat(store.uri()).startsWith("test:/");

        PublishedVersion v0 = publish(store, 5, metrics(0));
        PublishedVersion v1 = store.rollback(0);

        assertThat(v0.uri()).isEqualTo(store.uri() + "/v0");
        assertThat(store.versions()).containsExactly(v0, v1);
        assertThat(fileNames(dir.resolve("remote/v1"))).containsExactlyElementsOf(VERSION_FILES);
        Map<String, float[]> expected = stateOfSeed(5);
        try (DepthModel loaded = store.load(1, Device.cpu())) {
            assertSameState(state(loaded), expected);
        }
        try (DepthModel byUri = ModelStore.load(v0.uri(), Device.cpu())) {
            assertSameState(state(byUri), expected);
        }
        try (DepthModel other = model(6)) {
            assertThatThrownBy(() -> store.publishAs(1, other, metrics(2)))
                    .isInstanceOf(ModelStoreException.class).hasMessageContaining("version v1 already exists");
        }
    }

    @Test
    void theStoreTravelsWithAJobGraph() throws Exception {
        ModelStore store = new ModelStore(dir.toString());
        PublishedVersion published = publish(store, 1, metrics(2));

        ModelStore copy = InstantiationUtil.clone(store);

        assertThat(copy.uri()).isEqualTo(store.uri());
        assertThat(copy.latest()).contains(published);
        assertThat(InstantiationUtil.clone(published)).isEqualTo(published);
    }

    @Test
    void aMissingStoreHasNoVersionsAndSaysSoWhenOneIsAskedFor() {
        ModelStore store = new ModelStore(dir.resolve("nothing-here").toString());

        assertThat(store.exists()).isFalse();
        assertThat(store.versions()).isEmpty();
        assertThat(store.latest()).isEmpty();
        assertThatThrownBy(() -> store.rollback(0))
                .isInstanceOf(ModelStoreException.class)
                .hasMessage("no complete version v0 in model store " + store.uri() + " (versions: none)");
        assertThat(dir.resolve("nothing-here")).doesNotExist();
    }

    @Test
    void directoriesThatAreNotVersionsAreIgnored() throws Exception {
        ModelStore store = new ModelStore(dir.toString());
        Files.createDirectories(dir.resolve("v03"));
        Files.createDirectories(dir.resolve("v1.tmp"));
        Files.createDirectories(dir.resolve("notes"));
        Files.writeString(dir.resolve("v7"), "a file, not a version directory");

        assertThat(publish(store, 1, metrics(0)).name()).isEqualTo("v0");
        assertThat(store.versions()).extracting(PublishedVersion::name).containsExactly("v0");
    }

    @Test
    void aLocationIsRequiredAndAFileUriIsLocal() {
        assertThatThrownBy(() -> new ModelStore(" ")).hasMessageContaining("location is required");
        assertThatThrownBy(() -> new ModelStore("file://somehost/models")).hasMessageContaining("names a host");
    }
}
