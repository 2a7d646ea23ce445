package io.depthstream.model.online;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplayMemoryTest {

    @Test
    void keepsTheMostRecentElementsAndDrawsDistinctOnesUniformly() {
        ReplayMemory<Integer> memory = new ReplayMemory<>(5);
        for (int i = 0; i < 12; i++) {
            memory.add(i);
        }
        assertThat(memory.size()).isEqualTo(5);

        Random random = new Random(7);
        int[] counts = new int[12];
        for (int draw = 0; draw < 20_000; draw++) {
            List<Integer> batch = memory.draw(2, random);
            assertThat(new HashSet<>(batch)).hasSize(2);
            batch.forEach(element -> counts[element]++);
        }
        for (int old = 0; old < 7; old++) {
            assertThat(counts[old]).as("element %d was replaced", old).isZero();
        }
        for (int recent = 7; recent < 12; recent++) {
            // each of the 5 is in 2 of 5 draws: 8,000 expected, binomial standard deviation about 70
            assertThat(counts[recent]).as("element %d", recent).isBetween(7_700, 8_300);
        }
    }

    @Test
    void drawsNoMoreThanItHolds() {
        ReplayMemory<String> memory = new ReplayMemory<>(4);
        memory.add("a");
        memory.add("b");
        Set<String> all = new HashSet<>(memory.draw(2, new Random(1)));
        assertThat(all).containsExactlyInAnyOrder("a", "b");
        assertThatThrownBy(() -> memory.draw(3, new Random(1))).hasMessage("cannot draw 3 of 2 elements");
        assertThatThrownBy(() -> new ReplayMemory<String>(0)).hasMessageContaining("at least 1");
    }
}
