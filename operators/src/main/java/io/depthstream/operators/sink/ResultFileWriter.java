package io.depthstream.operators.sink;

import io.depthstream.model.data.DepthMap;
import io.depthstream.model.data.synth.RigidTransform;
import io.depthstream.model.io.DisparityColormap;
import io.depthstream.operators.inference.DepthResult;
import org.apache.flink.api.connector.sink2.SinkWriter;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The writer of {@link ResultFileSink}: images as results arrive, trajectories at every flush. */
public final class ResultFileWriter implements SinkWriter<DepthResult> {

    /** KITTI odometry poses of one camera, one line per result. */
    public static final String TRAJECTORY_FILE = "trajectory.txt";
    /** The seq of each line of {@link #TRAJECTORY_FILE}, same order. */
    public static final String TRAJECTORY_SEQ_FILE = "trajectory_seq.txt";

    private final Path base;
    /** Every camera's trajectory lines by seq; a camera is loaded from its files the first time it is seen. */
    private final Map<String, TreeMap<Long, String>> trajectories = new HashMap<>();
    private final Set<String> changed = new HashSet<>();

    /** Writes under {@code base}. */
    public ResultFileWriter(Path base) {
        this.base = base;
    }

    @Override
    public void write(DepthResult result, Context context) throws IOException {
        Path camera = base.resolve(directoryName(result.cameraId()));
        String name = String.format("%010d.png", result.seq());
        writeAtomically(camera.resolve("depth").resolve(name),
                new DepthMap(result.width(), result.height(), result.depth()).encodeKittiPng());
        float[] disparity = new float[result.depth().length];
        for (int i = 0; i < disparity.length; i++) {
            float d = result.depth()[i];
            disparity[i] = d > 0 && Float.isFinite(d) ? 1f / d : 0f;
        }
        writeAtomically(camera.resolve("color").resolve(name),
                DisparityColormap.colorize(disparity, result.width(), result.height()).encodePng());
        trajectory(result.cameraId(), camera).put(result.seq(), new RigidTransform(result.worldFromCamera()).toKittiLine());
        changed.add(result.cameraId());
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        for (String cameraId : changed) {
            Path camera = base.resolve(directoryName(cameraId));
            TreeMap<Long, String> lines = trajectories.get(cameraId);
            StringBuilder poses = new StringBuilder();
            StringBuilder seqs = new StringBuilder();
            lines.forEach((seq, line) -> {
                poses.append(line).append('\n');
                seqs.append(seq).append('\n');
            });
            // seqs first: a reader that finds both files finds at least as many seqs as poses
            writeAtomically(camera.resolve(TRAJECTORY_SEQ_FILE), seqs.toString().getBytes(StandardCharsets.UTF_8));
            writeAtomically(camera.resolve(TRAJECTORY_FILE), poses.toString().getBytes(StandardCharsets.UTF_8));
        }
        changed.clear();
    }

    @Override
    public void close() throws IOException {
        flush(true);
    }

    private TreeMap<Long, String> trajectory(String cameraId, Path camera) throws IOException {
        TreeMap<Long, String> lines = trajectories.get(cameraId);
        if (lines == null) {
            lines = load(camera);
            trajectories.put(cameraId, lines);
        }
        return lines;
    }

    /** A camera's trajectory as an earlier run (before a restart) left it, or empty. */
    private static TreeMap<Long, String> load(Path camera) throws IOException {
        TreeMap<Long, String> lines = new TreeMap<>();
        Path posesFile = camera.resolve(TRAJECTORY_FILE);
        Path seqFile = camera.resolve(TRAJECTORY_SEQ_FILE);
        if (!Files.exists(posesFile)) {
            return lines;
        }
        List<String> poses = Files.readAllLines(posesFile, StandardCharsets.UTF_8);
        List<String> seqs = Files.exists(seqFile) ? Files.readAllLines(seqFile, StandardCharsets.UTF_8) : List.of();
        if (seqs.size() < poses.size()) {
            throw new IOException(seqFile + " names " + seqs.size() + " seqs for the " + poses.size() + " poses of "
                    + posesFile + ": cannot continue this trajectory (move the camera's directory away)");
        }
        for (int i = 0; i < poses.size(); i++) {
            try {
                lines.put(Long.parseLong(seqs.get(i).trim()), poses.get(i));
            } catch (NumberFormatException e) {
                throw new IOException(seqFile + " line " + (i + 1) + " is not a seq: '" + seqs.get(i) + "'", e);
            }
        }
        return lines;
    }

    /** The camera id as one safe path element: URL-encoded, with dots encoded when the name is only dots. */
    static String directoryName(String cameraId) {
        String encoded = URLEncoder.encode(cameraId, StandardCharsets.UTF_8);
        return encoded.chars().allMatch(c -> c == '.') ? encoded.replace(".", "%2E") : encoded;
    }

    /** Writes {@code bytes} to a temporary sibling and renames it over {@code target}. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path directory = target.getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
        try {
            Files.write(temporary, bytes);
            // a rename within one directory: atomic on every local file system, or it fails loudly
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
