package io.depthstream.operators.sink;

import io.depthstream.operators.inference.DepthResult;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;

import java.nio.file.Path;

/**
 * Writes results as files under a base directory, per camera:
 * <ul>
 *   <li>{@code <camera>/depth/<seq, 10 digits>.png}: 16-bit depth, round(depth × 256), 0 = invalid (KITTI's encoding);</li>
 *   <li>{@code <camera>/color/<seq, 10 digits>.png}: the disparity (1/depth) in the magma colour map;</li>
 *   <li>{@code <camera>/trajectory.txt}: the camera-to-world poses in KITTI odometry format (12 numbers per line),
 *       one line per result in seq order, with {@code <camera>/trajectory_seq.txt} naming each line's seq.</li>
 * </ul>
 * Every file is written under a temporary name and renamed into place, so a reader never sees half a file. The
 * trajectory is rewritten at every checkpoint and at the end of input, so it is complete and ordered when the job
 * ends; after a restart the writer continues the files it finds, and results replayed from the last checkpoint
 * replace their own lines and images (idempotent by camera and seq). A camera's results must all reach the same
 * subtask, which {@link #writeTo} ensures by running with the parallelism of its input, forward from the inference
 * operator (keyed by camera). A camera id is used as a directory name, URL-encoded where it is not a plain name.
 */
public final class ResultFileSink implements Sink<DepthResult> {

    private static final long serialVersionUID = 1L;

    private final String baseDirectory;

    /** A sink writing under {@code baseDirectory} (created when missing; a path on every TaskManager). */
    public ResultFileSink(Path baseDirectory) {
        this.baseDirectory = baseDirectory.toString();
    }

    /** Adds this sink for {@code baseDirectory} to the results, forward from their operator. */
    public static DataStreamSink<DepthResult> writeTo(DataStream<DepthResult> results, Path baseDirectory) {
        return results.sinkTo(new ResultFileSink(baseDirectory))
                .setParallelism(results.getParallelism())
                .name("result-files")
                .uid("result-files");
    }

    @Override
    public SinkWriter<DepthResult> createWriter(WriterInitContext context) {
        return new ResultFileWriter(Path.of(baseDirectory));
    }
}
