package io.depthstream.model.loss;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training objective as named scalar parts whose sum is the total, so later losses (e.g. triplet terms) can be
 * added without touching the ones already there.
 *
 * @param total scalar, the sum of all parts
 * @param parts each part as it enters the total (already weighted), in insertion order
 */
public record LossTerms(NDArray total, Map<String, NDArray> parts) {

    public LossTerms {
        parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }

    /** An objective of one part. */
    public static LossTerms of(String name, NDArray part) {
        return new LossTerms(part, Map.of(name, part));
    }

    /** This objective plus another weighted scalar part (names must be new). */
    public LossTerms plus(String name, NDArray weightedPart) {
        if (parts.containsKey(name)) {
            throw new IllegalArgumentException("loss part already present: " + name);
        }
        Map<String, NDArray> more = new LinkedHashMap<>(parts);
        more.put(name, weightedPart);
        return new LossTerms(total.add(weightedPart), more);
    }

    /** Parts and total as numbers, for logs and the {@code loss} command; the total comes first. */
    public Map<String, Double> values() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("total", scalar(total));
        parts.forEach((name, part) -> values.put(name, scalar(part)));
        return values;
    }

    private static double scalar(NDArray x) {
        return x.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }
}
