package io.depthstream.pipeline.bench;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One reply of a PyTorch benchmark process: the elapsed seconds of the work asked for, and optionally the seconds
 * each named phase of it took ({@code 12.5 forward=6.1 backward=5.9}).
 *
 * @param seconds elapsed wall time of the whole request
 * @param phases seconds per phase, in the order the process reported them (empty when it reports none)
 */
record PythonTiming(double seconds, Map<String, Double> phases) {

    PythonTiming {
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("elapsed seconds must be positive and finite, got " + seconds);
        }
        phases = Collections.unmodifiableMap(new LinkedHashMap<>(phases));
    }

    /**
     * Parses a reply line: the elapsed seconds, then any number of {@code name=seconds} fields, separated by spaces.
     *
     * @throws IOException when the line is not such a reply (e.g. the process printed something else)
     */
    static PythonTiming parse(String line) throws IOException {
        if (line == null) {
            throw new IOException("the PyTorch benchmark process ended unexpectedly");
        }
        String[] fields = line.trim().split("\\s+");
        try {
            double seconds = Double.parseDouble(fields[0]);
            Map<String, Double> phases = new LinkedHashMap<>();
            for (int i = 1; i < fields.length; i++) {
                int equals = fields[i].indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("field '" + fields[i] + "' is not name=seconds");
                }
                String name = fields[i].substring(0, equals);
                double value = Double.parseDouble(fields[i].substring(equals + 1));
                if (!(value >= 0) || Double.isInfinite(value)) {
                    throw new IllegalArgumentException("phase " + name + " took " + value + " s");
                }
                if (phases.put(name, value) != null) {
                    throw new IllegalArgumentException("phase " + name + " reported twice");
                }
            }
            return new PythonTiming(seconds, phases);
        } catch (IllegalArgumentException e) {
            // NumberFormatException is one too
            throw new IOException("unexpected reply from the PyTorch benchmark process: '" + line + "' ("
                    + e.getMessage() + ")", e);
        }
    }
}
