package io.depthstream.pipeline.job;

import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;

/**
 * Entry point of the job jar on a Flink cluster: {@code flink run -c io.depthstream.pipeline.job.StreamingJobMain
 * depthstream-pipeline-VERSION-job.jar --config FILE}. The file (YAML or JSON, see {@code depthstream stream
 * --print-config}) must be readable where the job is submitted; weights paths must exist on every TaskManager.
 */
public final class StreamingJobMain {

    private StreamingJobMain() {}

    /** Submits the streaming job described by {@code --config FILE}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !"--config".equals(args[0])) {
            System.err.println("usage: StreamingJobMain --config FILE");
            System.exit(2);
        }
        StreamingConfig config = ConfigFiles.read(Path.of(args[1]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingJob.define(env, config);
        env.execute(StreamingJob.NAME);
    }
}
