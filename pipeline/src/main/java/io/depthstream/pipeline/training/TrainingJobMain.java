package io.depthstream.pipeline.training;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.util.List;

/**
 * Entry point of the job jar for the training job on a Flink cluster: {@code flink run -c
 * io.depthstream.pipeline.training.TrainingJobMain depthstream-pipeline-VERSION-job.jar --config RUN_DIR/run.json
 * [--resume]}. {@code depthstream train --print-submit} writes the file. The data, split files and run directory
 * must be reachable under the same paths on the TaskManagers.
 */
public final class TrainingJobMain {

    private TrainingJobMain() {}

    /** Submits the training job described by {@code --config FILE}. */
    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        boolean resume = arguments.contains("--resume");
        int config = arguments.indexOf("--config");
        if (config < 0 || config + 1 >= arguments.size() || arguments.size() != (resume ? 3 : 2)) {
            System.err.println("usage: TrainingJobMain --config RUN_DIR/run.json [--resume]");
            System.exit(2);
        }
        TrainingJob.Plan plan = TrainingJob.plan(TrainingJobConfig.read(Path.of(arguments.get(config + 1))), resume);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TrainingJob.define(env, plan);
        env.execute(TrainingJob.NAME);
    }
}
