package io.depthstream.operators.training;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A CSV file of numbered rows (steps or epochs) that a resumed run continues: rows past the resume point are
 * dropped when it is reopened, so the file always describes the run that the weights came from. Every row is
 * flushed as it is written, so a crash loses nothing that was trained and a reader can follow the file live.
 */
public final class MetricsCsv implements Closeable {

    private final Path file;
    private final List<String> columns;
    private final BufferedWriter writer;

    private MetricsCsv(Path file, List<String> columns, BufferedWriter writer) {
        this.file = file;
        this.columns = columns;
        this.writer = writer;
    }

    /**
     * Opens {@code file} for appending rows with {@code columns}. An existing file keeps its rows whose first
     * column is at most {@code keepThrough} (and must have the same header); any other is started afresh.
     */
    public static MetricsCsv open(Path file, List<String> columns, long keepThrough) throws IOException {
        String header = String.join(",", columns);
        List<String> kept = new ArrayList<>();
        kept.add(header);
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (!lines.isEmpty() && !lines.get(0).equals(header)) {
                throw new IOException(file + " has columns '" + lines.get(0) + "', this run writes '" + header
                        + "' (was the run resumed with a different loss?)");
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                int comma = line.indexOf(',');
                try {
                    if (comma > 0 && Long.parseLong(line.substring(0, comma)) <= keepThrough) {
                        kept.add(line);
                    }
                } catch (NumberFormatException e) {
                    // a row cut short by a crash: not part of any checkpoint
                }
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
        BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return new MetricsCsv(file, List.copyOf(columns), writer);
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The columns, in file order. */
    public List<String> columns() {
        return columns;
    }

    /** Appends one row: a value for every column (missing ones are written empty). */
    public void append(Map<String, ? extends Number> row) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            Number value = row.get(columns.get(i));
            if (value != null) {
                line.append(format(value));
            }
        }
        writer.write(line.toString());
        writer.newLine();
        writer.flush();
    }

    private static String format(Number value) {
        if (value instanceof Integer || value instanceof Long) {
            return value.toString();
        }
        double x = value.doubleValue();
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.6g", x) : Double.toString(x);
    }

    /** Reads a CSV written by this class: one map of column to value per row (empty cells are absent). */
    public static List<Map<String, Double>> read(Path file) throws IOException {
        List<Map<String, Double>> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return rows;
        }
        String[] header = lines.get(0).split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells.length != header.length) {
                continue; // a row being written right now
            }
            Map<String, Double> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                if (!cells[i].isEmpty()) {
                    try {
                        row.put(header[i], Double.parseDouble(cells[i]));
                    } catch (NumberFormatException e) {
                        // not a number: leave the cell out
                    }
                }
            }
            rows.add(row);
        }
        return rows;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
