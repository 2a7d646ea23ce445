package io.depthstream.operators.learner;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2025-06-01T12:00:00.123Z");

    @Test
    void jsonIsTheDocumentedDocumentAndReadsBack() throws Exception {
        VersionMetrics metrics = new VersionMetrics(1200, 0.125, Double.NaN, CREATED, 2, null,
                Map.of("smoothness", 0.5, "abs_rel", 0.25));

        String json = JSON.writeValueAsString(metrics.toJson());

        assertThat(json).isEqualTo("{\"step\":1200,\"held_out_loss\":0.125,\"train_loss\":null,"
                + "\"created\":\"2025-06-01T12:00:00.123Z\",\"parent\":2,\"rollback_of\":null,"
                + "\"extra\":{\"abs_rel\":0.25,\"smoothness\":0.5}}");
        assertThat(VersionMetrics.fromJson(JSON.readTree(json))).isEqualTo(metrics);
    }

    @Test
    void aRollbackKeepsTheWeightsFactsAndRecordsWhatItRollsBack() {
        VersionMetrics original = VersionMetrics.of(40, 0.5, 0.75, CREATED).withParent(1);
        Instant later = CREATED.plusSeconds(3600);

        VersionMetrics rolledBack = original.rolledBack(3, later);

        assertThat(rolledBack).isEqualTo(new VersionMetrics(40, 0.5, 0.75, later, 1, 3, Map.of()));
    }

    @Test
    void validationListsOnlyMeasuredNumbers() {
        assertThat(VersionMetrics.of(0, Double.NaN, 0.5, CREATED).validation()).containsExactly(
                Map.entry("train_loss", 0.5));
        assertThat(new VersionMetrics(0, 0.25, Double.NaN, CREATED, null, null, Map.of("a1", 0.75)).validation())
                .containsExactly(Map.entry("held_out_loss", 0.25), Map.entry("a1", 0.75));
    }

    @Test
    void malformedValuesAreRejectedNamingTheField() throws Exception {
        assertThatThrownBy(() -> VersionMetrics.of(-1, 0, 0, CREATED)).hasMessageContaining("step");
        assertThatThrownBy(() -> new VersionMetrics(0, 0, 0, CREATED, null, null, Map.of("x", Double.NaN)))
                .hasMessageContaining("'x'");
        assertThatThrownBy(() -> VersionMetrics.fromJson(JSON.readTree("{\"step\":1,\"created\":\"yesterday\"}")))
                .hasMessageContaining("\"created\"");
        assertThatThrownBy(() -> VersionMetrics.fromJson(JSON.readTree("{\"created\":\"2025-06-01T12:00:00Z\"}")))
                .hasMessageContaining("\"step\"");
        assertThatThrownBy(() -> VersionMetrics.fromJson(JSON.readTree(
                "{\"step\":1,\"created\":\"2025-06-01T12:00:00Z\",\"held_out_loss\":\"low\"}")))
                .hasMessageContaining("\"held_out_loss\"");
    }

    @Test
    void versionNamesAreVAndANumberWithoutLeadingZeros() {
        assertThat(PublishedVersion.parseNumber("v3")).isEqualTo(3);
        assertThat(PublishedVersion.parseNumber("12")).isEqualTo(12);
        assertThat(PublishedVersion.parseNumber("v0")).isZero();
        assertThatThrownBy(() -> PublishedVersion.parseNumber("v03")).hasMessageContaining("expected v<N> or N");
        assertThatThrownBy(() -> PublishedVersion.parseNumber("latest")).hasMessageContaining("'latest'");
        assertThat(PublishedVersion.directoryNumber("v7")).isEqualTo(7);
        assertThat(PublishedVersion.directoryNumber("7")).isEqualTo(-1);
        assertThat(PublishedVersion.directoryNumber("v7.tmp")).isEqualTo(-1);
    }
}
