package io.depthstream.pipeline.job;

import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.kafka.KafkaErrors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
        List<String> missingAcls;
        try {
            missingAcls = StreamingJob.missingAcls(config, Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
            if (KafkaErrors.securityProblem(e, config.kafka().bootstrap(), config.kafka().clientProperties()) != null) {
                System.err.println("error: " + e.getMessage());
                System.exit(1);
            }
            // the submitting host may not reach Kafka where the TaskManagers do: the job reports it if they cannot
            System.err.println("warning: the job's Kafka ACLs were not checked: " + e.getMessage());
            missingAcls = List.of();
        }
        if (!missingAcls.isEmpty()) {
            System.err.println("error: " + String.join("; ", missingAcls));
            System.exit(1);
        }
        env.execute(StreamingJob.NAME);
    }
}
