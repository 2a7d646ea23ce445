package io.depthstream.operators.schedule;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code model.decode} resolves to from the device and the thread budget. */
class DecodeLayoutTest {

    @Test
    void autoTakesTurnsWhenCpuInferenceHasEveryCore() {
        DecodePlan plan = DecodeLayout.AUTO.resolve(false, 2, 2);
        assertThat(plan.layout()).isEqualTo(DecodeLayout.BETWEEN_BATCHES);
        assertThat(plan.takesTurns()).isTrue();
        assertThat(plan.threads()).isEqualTo(2);
        assertThat(plan.describe()).isEqualTo("between-batches, 2 decode threads "
                + "(auto: inference on the CPU with 2 intra-op thread(s) on 2 core(s))");
        assertThat(DecodeLayout.AUTO.resolve(false, 16, 8).layout()).isEqualTo(DecodeLayout.BETWEEN_BATCHES);
    }

    @Test
    void autoOverlapsOnAGpuOrWithSpareCores() {
        DecodePlan gpu = DecodeLayout.AUTO.resolve(true, 16, 16);
        assertThat(gpu.layout()).isEqualTo(DecodeLayout.OVERLAPPED);
        assertThat(gpu.takesTurns()).isFalse();
        assertThat(gpu.threads()).isEqualTo(16);
        DecodePlan spare = DecodeLayout.AUTO.resolve(false, 4, 16);
        assertThat(spare.layout()).isEqualTo(DecodeLayout.OVERLAPPED);
        assertThat(spare.threads()).isEqualTo(12);
        assertThat(DecodeLayout.AUTO.resolve(false, 1, 2).threads()).isEqualTo(1);
    }

    @Test
    void aForcedLayoutHoldsWhateverTheMachine() {
        DecodePlan overlapped = DecodeLayout.OVERLAPPED.resolve(false, 2, 2);
        assertThat(overlapped.layout()).isEqualTo(DecodeLayout.OVERLAPPED);
        // PyTorch's team has both cores: one decoder thread beside it, as decoding always had
        assertThat(overlapped.threads()).isEqualTo(1);
        assertThat(overlapped.reason()).startsWith("set: ");
        DecodePlan turns = DecodeLayout.BETWEEN_BATCHES.resolve(true, 8, 8);
        assertThat(turns.layout()).isEqualTo(DecodeLayout.BETWEEN_BATCHES);
        assertThat(turns.threads()).isEqualTo(8);
    }

    @Test
    void parsesTheConfigSpellingsAndNamesThemWhenWrong() {
        assertThat(DecodeLayout.parse("between-batches")).isEqualTo(DecodeLayout.BETWEEN_BATCHES);
        assertThat(DecodeLayout.parse("overlapped")).isEqualTo(DecodeLayout.OVERLAPPED);
        assertThat(DecodeLayout.parse("auto")).isEqualTo(DecodeLayout.AUTO);
        assertThatThrownBy(() -> DecodeLayout.parse("serial"))
                .hasMessage("model.decode can only be auto, overlapped or between-batches, got 'serial'");
    }

    @Test
    void aPlanIsNeverAuto() {
        assertThatThrownBy(() -> new DecodePlan(DecodeLayout.AUTO, 2, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
