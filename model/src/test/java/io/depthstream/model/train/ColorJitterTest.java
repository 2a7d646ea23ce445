package io.depthstream.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.io.Npy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ColorJitterTest {

    static Path golden(String name) throws Exception {
        return Paths.get(ColorJitterTest.class.getResource("/golden/jitter/" + name).toURI());
    }

    @Test
    void matchesTorchvisionTensorFunctions() throws Exception {
        float[] input = Npy.read(golden("input.npy")).toFloatArray();
        JsonNode cases = new ObjectMapper().readTree(golden("cases.json").toFile());

        for (int n = 0; n < cases.size(); n++) {
            JsonNode c = cases.get(n);
            List<Integer> order = new ArrayList<>();
            c.get("order").forEach(v -> order.add(v.asInt()));
            ColorJitter jitter = new ColorJitter(c.get("brightness").asDouble(), c.get("contrast").asDouble(),
                    c.get("saturation").asDouble(), c.get("hue").asDouble(), order);

            float[] expected = Npy.read(golden("output_" + n + ".npy")).toFloatArray();
            float[] actual = jitter.apply(input);

            assertThat(actual).as("case %d", n).containsExactly(expected, within(2e-5f));
        }
    }

    @Test
    void drawsWithinMonodepth2RangesAndIsSeedable() {
        Random random = new Random(9);
        for (int i = 0; i < 200; i++) {
            ColorJitter jitter = ColorJitter.draw(random);
            assertThat(jitter.brightness()).isBetween(0.8, 1.2);
            assertThat(jitter.contrast()).isBetween(0.8, 1.2);
            assertThat(jitter.saturation()).isBetween(0.8, 1.2);
            assertThat(jitter.hue()).isBetween(-0.1, 0.1);
        }
        assertThat(ColorJitter.draw(new Random(4))).isEqualTo(ColorJitter.draw(new Random(4)));
    }
}
