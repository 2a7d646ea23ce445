package io.depthstream.pipeline.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Startup validation: every setting, when wrong, gives one line naming its key and the values it allows. */
class StreamingConfigTest {

    /** A runnable base: the defaults with a random model. */
    private static final String BASE = "model: {init: random}\n";

    /** The problem of the defaults with a random model and {@code yaml} laid over them. */
    private static String problemOf(String yaml) {
        return ConfigFiles.parse(yaml.startsWith("model:") ? yaml : BASE + yaml).problem();
    }

    @Test
    void ownTopicsNameGroupAndTopicsAfterThePrefixAndKeepEverythingElse() {
        StreamingConfig base = StreamingConfig.defaults().withParallelism(3);
        StreamingConfig own = base.withOwnTopics("broker:9092", "soak", 2);

        assertThat(own.kafka()).isEqualTo(new StreamingConfig.Kafka("broker:9092", "soak-job", "earliest",
                new StreamingConfig.Topics("soak-frames", "soak-depth", "soak-poses", "soak-dlq", "soak-model-updates"),
                2));
        assertThat(own.model()).isEqualTo(base.model());
        assertThat(own.triplets()).isEqualTo(base.triplets());
        assertThat(own.output()).isEqualTo(base.output());
        assertThat(own.checkpoints()).isEqualTo(base.checkpoints());
        assertThat(own.parallelism()).isEqualTo(3);
        assertThat(own.fineTune()).isEqualTo(base.fineTune());
    }

    @Test
    void theDefaultsWithAModelAreValid() {
        assertThat(problemOf("")).isNull();
        assertThat(ConfigFiles.parse("model: {weights: /models/r18}").problem()).isNull();
        assertThat(problemOf("fine-tune: {enabled: true, store: /tmp/store}")).isNull();
    }

    @Test
    void everyBadValueIsNamedByItsKeyWithTheAllowedValues() {
        // key → (overlay, the one line expected)
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("kafka.bootstrap", new String[] {"kafka: {bootstrap: 'broker'}",
            "kafka.bootstrap must be host:port[,host:port…] with ports 1-65535, got 'broker'"});
        cases.put("kafka.bootstrap (port)", new String[] {"kafka: {bootstrap: 'a:9092,b:70000'}",
            "kafka.bootstrap must be host:port[,host:port…] with ports 1-65535, got 'a:9092,b:70000'"});
        cases.put("kafka.bootstrap (empty)", new String[] {"kafka: {bootstrap: ''}",
            "kafka.bootstrap must be host:port[,host:port…] with ports 1-65535, got ''"});
        cases.put("kafka.group-id", new String[] {"kafka: {group-id: ' '}",
            "kafka.group-id must be a non-empty consumer group name, got ' '"});
        cases.put("kafka.start-from", new String[] {"kafka: {start-from: newest}",
            "kafka.start-from must be earliest, latest or committed, got 'newest'"});
        cases.put("kafka.properties", new String[] {"kafka: {properties: {security.protocl: SSL}}",
            "kafka.properties.security.protocl is not a Kafka producer, consumer or admin client property"});
        cases.put("kafka.dlq-value", new String[] {"kafka: {dlq-value: discard}",
            "kafka.dlq-value must be keep or drop, got 'discard'"});
        cases.put("kafka.partitions", new String[] {"kafka: {partitions: 0}", "kafka.partitions must be at least 1, got 0"});
        for (String topic : List.of("frames", "depth", "poses", "dlq", "model-updates")) {
            cases.put("kafka.topics." + topic, new String[] {"kafka: {topics: {" + topic + ": 'bad topic'}}",
                "kafka.topics." + topic + " must be a Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -), got 'bad topic'"});
        }
        cases.put("kafka.topics (same)", new String[] {"kafka: {topics: {dlq: frames}}",
            "kafka.topics.dlq must differ from kafka.topics.frames, both are 'frames'"});
        cases.put("model.weights", new String[] {"model: {weights: ''}",
            "model.weights must be a weights directory or be left out, got ''"});
        cases.put("model.init", new String[] {"model: {init: zeros}",
            "model.init can only be random or synthetic (or be left out), got 'zeros'"});
        cases.put("model.arch", new String[] {"model: {init: random, arch: resnet34}",
            "model.arch must be resnet18, resnet50 or lite, got 'resnet34'"});
        cases.put("model.height", new String[] {"model: {init: random, height: 100}",
            "model.height must be a multiple of 32 of at least 64 (e.g. height 192, width 640), got 100"});
        cases.put("model.width", new String[] {"model: {init: random, width: 32}",
            "model.width must be a multiple of 32 of at least 64 (e.g. height 192, width 640), got 32"});
        cases.put("model.seed", new String[] {"model: {init: random, seed: 4294967296}",
            "model.seed must be an integer in -2147483648..2147483647, got 4294967296"});
        cases.put("model.device", new String[] {"model: {init: random, device: tpu}", "model.device must be auto, cpu or gpu, got 'tpu'"});
        cases.put("model.batch-size", new String[] {"model: {init: random, batch-size: 0}", "model.batch-size must be at least 1, got 0"});
        cases.put("model.max-batch-delay-ms", new String[] {"model: {init: random, max-batch-delay-ms: -1}",
            "model.max-batch-delay-ms must be at least 0, got -1"});
        cases.put("model.camera-height-m", new String[] {"model: {init: random, camera-height-m: -1.5}",
            "model.camera-height-m must be a height in metres in (0, 100) (or be left out for relative scale), got -1.5"});
        cases.put("model.frame-policy", new String[] {"model: {init: random, frame-policy: newest}",
            "model.frame-policy must be every-frame or latest-frame, got 'newest'"});
        cases.put("model.max-frame-age-ms", new String[] {"model: {init: random, max-frame-age-ms: 0}",
            "model.max-frame-age-ms must be at least 1, got 0"});
        cases.put("model.decode", new String[] {"model: {init: random, decode: serial}",
            "model.decode must be auto, overlapped or between-batches, got 'serial'"});
        cases.put("triplets.max-out-of-orderness-ms", new String[] {"triplets: {max-out-of-orderness-ms: -5}",
            "triplets.max-out-of-orderness-ms must be at least 0, got -5"});
        cases.put("triplets.max-gap", new String[] {"triplets: {max-gap: 0}", "triplets.max-gap must be at least 1, got 0"});
        cases.put("triplets.idle-timeout-ms", new String[] {"triplets: {idle-timeout-ms: 0}",
            "triplets.idle-timeout-ms must be at least 1, got 0"});
        cases.put("triplets.state-ttl-ms", new String[] {"triplets: {state-ttl-ms: -1}",
            "triplets.state-ttl-ms must be at least 1, got -1"});
        cases.put("output.dir", new String[] {"output: {dir: '  '}", "output.dir must be a directory or be left out, got '  '"});
        cases.put("checkpoints.interval-ms", new String[] {"checkpoints: {interval-ms: 50}",
            "checkpoints.interval-ms must be at least 100 (the Kafka sinks commit at checkpoints), got 50"});
        cases.put("checkpoints.dir", new String[] {"checkpoints: {dir: ''}",
            "checkpoints.dir must be a URI (file:///…, s3://…) or be left out, got ''"});
        cases.put("parallelism", new String[] {"parallelism: 0", "parallelism must be at least 1, got 0"});
        cases.put("fine-tune.store", new String[] {"fine-tune: {enabled: true}",
            "fine-tune.store is required with fine-tuning on (a directory or URI for model versions)"});
        cases.put("fine-tune.sample-rate", new String[] {"fine-tune: {sample-rate: 0}",
            "fine-tune.sample-rate must be in (0, 1], got 0.0"});
        cases.put("fine-tune.static-threshold", new String[] {"fine-tune: {static-threshold: 1}",
            "fine-tune.static-threshold must be in [0, 1), got 1.0"});
        cases.put("fine-tune.learning-rate", new String[] {"fine-tune: {learning-rate: -0.001}",
            "fine-tune.learning-rate must be in (0, 1) (or be left out for the default), got -0.001"});
        cases.put("fine-tune.batch-size", new String[] {"fine-tune: {batch-size: 0}",
            "fine-tune.batch-size must be at least 1, got 0"});
        cases.put("fine-tune.buffer-capacity", new String[] {"fine-tune: {buffer-capacity: 2}",
            "fine-tune.buffer-capacity must be at least fine-tune.batch-size (4), got 2"});
        cases.put("fine-tune.held-out-capacity", new String[] {"fine-tune: {held-out-capacity: 0}",
            "fine-tune.held-out-capacity must be at least 1, got 0"});
        cases.put("fine-tune.held-out-every", new String[] {"fine-tune: {held-out-every: 1}",
            "fine-tune.held-out-every must be at least 2, got 1"});
        cases.put("fine-tune.evaluate-every", new String[] {"fine-tune: {evaluate-every: 0}",
            "fine-tune.evaluate-every must be at least 1, got 0"});
        cases.put("fine-tune.tolerance", new String[] {"fine-tune: {tolerance: 2}",
            "fine-tune.tolerance must be in (-1, 1], got 2.0"});
        cases.put("fine-tune.triplet", new String[] {"fine-tune: {triplet: semantic}",
            "fine-tune.triplet must be none, fsre, isolated or differential, got 'semantic'"});
        cases.put("fine-tune.device", new String[] {"fine-tune: {device: GPU0}",
            "fine-tune.device must be auto, cpu or gpu, got 'GPU0'"});
        cases.put("fine-tune.max-share", new String[] {"fine-tune: {max-share: 1.5}",
            "fine-tune.max-share must be in (0, 1], got 1.5"});
        cases.put("fine-tune.threads", new String[] {"fine-tune: {threads: -1}",
            "fine-tune.threads must be 0 (the engine's default) or more, got -1"});
        cases.put("fine-tune.automask-warmup", new String[] {"fine-tune: {automask-warmup: -5}",
            "fine-tune.automask-warmup must be 0 or more steps (or be left out for the default), got -5"});
        cases.put("fine-tune.replay", new String[] {"fine-tune: {replay: 0}",
            "fine-tune.replay must be at least 1, got 0"});

        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String problem = problemOf(c.getValue()[0]);
            if (!c.getValue()[1].equals(problem)) {
                wrong.add(c.getKey() + ": expected <" + c.getValue()[1] + "> but was <" + problem + ">");
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyKeyOfTheConfigurationIsCoveredByAValidationCase() {
        // the printed configuration lists every key; each must have a case above (a new key needs one too)
        List<String> keys = new ArrayList<>();
        collectKeys(ConfigFiles.print(StreamingConfig.defaults()), keys);
        assertThat(keys).containsExactlyInAnyOrder(
                "kafka.bootstrap", "kafka.group-id", "kafka.start-from", "kafka.topics.frames", "kafka.topics.depth",
                "kafka.topics.poses", "kafka.topics.dlq", "kafka.topics.model-updates", "kafka.partitions",
                "kafka.properties", "kafka.dlq-value",
                "model.weights", "model.init", "model.arch", "model.height", "model.width", "model.seed",
                "model.device", "model.batch-size", "model.max-batch-delay-ms", "model.camera-height-m",
                "model.frame-policy", "model.max-frame-age-ms", "model.decode",
                "triplets.max-out-of-orderness-ms", "triplets.max-gap", "triplets.idle-timeout-ms",
                "triplets.state-ttl-ms", "output.dir", "checkpoints.interval-ms", "checkpoints.dir", "parallelism",
                "fine-tune.enabled", "fine-tune.store", "fine-tune.sample-rate", "fine-tune.static-threshold",
                "fine-tune.learning-rate", "fine-tune.batch-size", "fine-tune.buffer-capacity",
                "fine-tune.held-out-capacity", "fine-tune.held-out-every", "fine-tune.evaluate-every",
                "fine-tune.tolerance", "fine-tune.triplet", "fine-tune.device", "fine-tune.max-share",
                "fine-tune.threads", "fine-tune.automask-warmup", "fine-tune.replay");
    }

    private static void collectKeys(String yaml, List<String> keys) {
        List<String> parents = new ArrayList<>();
        for (String line : yaml.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int depth = (line.length() - line.stripLeading().length()) / 2;
            String key = line.strip().substring(0, line.strip().indexOf(':'));
            while (parents.size() > depth) {
                parents.remove(parents.size() - 1);
            }
            if (line.strip().endsWith(":")) {
                parents.add(key);
            } else {
                keys.add(parents.isEmpty() ? key : String.join(".", parents) + "." + key);
            }
        }
    }

    @Test
    void fineTuneSettingsAreCheckedWhileFineTuningIsOff() {
        assertThat(problemOf("fine-tune: {enabled: false, device: tpu}"))
                .isEqualTo("fine-tune.device must be auto, cpu or gpu, got 'tpu'");
    }

    @Test
    void typeErrorsNameTheKeyPathAndTheExpectedType() {
        String[][] cases = {
            {"model: {init: random, batch-size: abc}", "model.batch-size: expected an integer in -2147483648..2147483647, got 'abc'"},
            {"model: {batch-size: 8.5}", "model.batch-size: expected an integer in -2147483648..2147483647, got 8.5"},
            {"model: {batch-size: ~}", "model.batch-size: expected an integer in -2147483648..2147483647, got nothing (null)"},
            {"kafka: {partitions: 99999999999}", "kafka.partitions: expected an integer in -2147483648..2147483647, got 99999999999"},
            {"model: {max-batch-delay-ms: [1, 2]}", "model.max-batch-delay-ms: expected an integer in "
                    + "-9223372036854775808..9223372036854775807, got a list"},
            {"model: {camera-height-m: tall}", "model.camera-height-m: expected a number, got 'tall'"},
            {"fine-tune: {enabled: sometimes}", "fine-tune.enabled: expected true or false, got 'sometimes'"},
            {"kafka: {topics: {frames: {a: 1}}}", "kafka.topics.frames: expected a text value, got a mapping"},
            {"model: 5", "model: expected a mapping of settings, got 5"},
            {"triplets: ~", "triplets: expected a mapping of settings, got nothing (null); leave the key out to keep the defaults"},
            {"parallelism: two", "parallelism: expected an integer in -2147483648..2147483647, got 'two'"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> ConfigFiles.parse(c[0].startsWith("model:") ? c[0] : BASE + c[0])).as(c[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(c[1]);
        }
    }

    @Test
    void yamlSyntaxErrorsAreOneLineWithTheirPlace() {
        assertThatThrownBy(() -> ConfigFiles.parse("model:\n  batch-size: [1, 2\nparallelism: 2\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not valid YAML at line ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> ConfigFiles.parse("model: {init: random}\nmodel: {batch-size: 2}\n"))
                .hasMessageStartingWith("not valid YAML at line 2, column ").hasMessageContaining("Duplicate field 'model'");
        assertThatThrownBy(() -> ConfigFiles.parse("- a\n- b\n"))
                .hasMessage("expected a mapping of settings at the top level, got a list");
    }
}
