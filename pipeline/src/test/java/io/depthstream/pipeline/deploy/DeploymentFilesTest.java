package io.depthstream.pipeline.deploy;

import io.depthstream.operators.codec.WireFormat;
import io.depthstream.pipeline.cli.BuildInfo;
import io.depthstream.pipeline.cli.DepthstreamCommand;
import io.depthstream.pipeline.config.ConfigFiles;
import io.depthstream.pipeline.config.StreamingConfig;
import io.depthstream.pipeline.job.StreamingJob;
import io.depthstream.pipeline.job.TopicSpec;
import org.apache.flink.annotation.docs.Documentation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import picocli.CommandLine;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Static checks of the docker-compose deployment against the real build, job, topics and Flink 2.2's options. */
class DeploymentFilesTest {

    private static final Path ROOT = repositoryRoot();
    /** What the GPU file's submit and replay services name, and what deploy/depthstream.yaml was printed with. */
    private static final String WEIGHTS = "/var/depthstream/models/current";
    private static final String OUTPUT = "/var/depthstream/output";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    // ---------------------------------------------------------------------------------------------------------------
    // docker-compose.yml and docker-compose.cpu.yml

    @Test
    void everyServiceHasAnImageOrABuildWhoseContextAndDockerfileExist() {
        Map<String, Object> gpu = services(compose("docker-compose.yml"));
        assertThat(gpu).containsKeys("kafka", "topic-init", "jobmanager", "taskmanager", "submit", "replay");
        for (Map.Entry<String, Object> service : gpu.entrySet()) {
            Map<String, Object> body = map(service.getValue());
            assertThat(body.containsKey("image") || body.containsKey("build"))
                    .as("service %s has an image or a build", service.getKey()).isTrue();
            checkBuild(service.getKey(), body.get("build"));
        }
        Map<String, Object> cpu = services(compose("docker-compose.cpu.yml"));
        assertThat(gpu.keySet()).as("the CPU override only overrides services of docker-compose.yml")
                .containsAll(cpu.keySet());
        for (Map.Entry<String, Object> service : cpu.entrySet()) {
            checkBuild(service.getKey(), map(service.getValue()).get("build"));
        }
    }

    @Test
    void everyBindMountedHostPathExistsOrIsWhatTheBuildProduces() {
        Set<String> produced = buildOutputs();
        for (String file : List.of("docker-compose.yml", "docker-compose.cpu.yml")) {
            Map<String, Object> compose = compose(file);
            Set<String> namedVolumes = compose.containsKey("volumes") ? map(compose.get("volumes")).keySet() : Set.of();
            for (Map.Entry<String, Object> service : services(compose).entrySet()) {
                Object volumes = map(service.getValue()).get("volumes");
                if (volumes == null) {
                    continue;
                }
                for (Object volume : list(volumes)) {
                    String source = interpolate(volume.toString()).split(":")[0];
                    String where = file + " " + service.getKey() + " " + volume;
                    if (source.startsWith(".") || source.startsWith("/")) {
                        Path host = ROOT.resolve(source).normalize();
                        assertThat(host.startsWith(ROOT)).as("%s: host path inside the repository", where).isTrue();
                        String relative = ROOT.relativize(host).toString();
                        assertThat(Files.exists(host) || produced.contains(relative))
                                .as("%s: %s exists in the repository or is one of the build's outputs %s", where,
                                        relative, produced)
                                .isTrue();
                    } else {
                        assertThat(namedVolumes).as("%s: named volume declared", where).contains(source);
                    }
                }
            }
        }
        // the Dockerfile's COPY sources: deploy files in the repository, or build outputs
        List<String> sources = new ArrayList<>();
        for (String source : dockerfileCopySources()) {
            if (source.contains("${FLINK_LIB}")) {
                for (String lib : List.of("pipeline/target/flink-lib-gpu", "pipeline/target/flink-lib")) {
                    sources.add(source.replace("${FLINK_LIB}", lib));
                }
            } else {
                sources.add(source);
            }
        }
        for (String source : sources) {
            String relative = source.replaceAll("/$", "");
            assertThat(Files.exists(ROOT.resolve(relative)) || produced.contains(relative))
                    .as("Dockerfile COPY %s exists or is a build output %s", source, produced).isTrue();
            assertThat(dockerignoreAdmits(relative)).as(".dockerignore lets %s into the build context", relative)
                    .isTrue();
        }
    }

    @Test
    void submitRunsTheCommandThatPrintSubmitPrintsOnAJarTheBuildProduces() throws Exception {
        PrintSubmit printed = printSubmit();
        List<String> submitted = flinkRun(commandOf("submit"));
        assertThat(submitted).as("submit's flink run").isEqualTo(printed.command());

        String jar = submitted.get(submitted.indexOf("-c") + 2);
        assertThat(jar).isEqualTo("pipeline/target/" + jobJarName());
        String mainClass = submitted.get(submitted.indexOf("-c") + 1);
        Method main = Class.forName(mainClass).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers())).isTrue();

        // the jar and the config are where the command looks for them (working_dir + bind mounts)
        Map<String, Object> submit = service("submit");
        assertThat(submit.get("working_dir")).isEqualTo("/opt/depthstream");
        assertThat(mounts(submit)).containsEntry("/opt/depthstream/pipeline/target", "./pipeline/target")
                .containsEntry("/opt/depthstream/depthstream.yaml", "./deploy/depthstream.yaml");
    }

    @Test
    void theSubmittedConfigIsWhatPrintSubmitPrintsAndNamesTheBrokerAndVolumesOfTheCompose() throws Exception {
        StreamingConfig deployed = ConfigFiles.read(ROOT.resolve("deploy/depthstream.yaml"));
        assertThat(deployed).isEqualTo(ConfigFiles.parse(printSubmit().config()));
        assertThat(deployed.problem()).isNull();

        Map<String, Object> kafka = environment(service("kafka"));
        assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS").toString().split(","))
                .as("the job's bootstrap is an advertised listener")
                .anyMatch(listener -> listener.endsWith("//" + deployed.kafka().bootstrap()));
        assertThat(mounts(service("taskmanager")))
                .containsEntry("/var/depthstream/models", "models")
                .containsEntry("/var/depthstream/output", "output")
                .containsEntry("/var/depthstream/checkpoints", "checkpoints");
        assertThat(mounts(service("submit"))).containsEntry("/var/depthstream/models", "models");
        assertThat(deployed.model().weights()).startsWith("/var/depthstream/models/");
        assertThat(deployed.output().dir()).startsWith("/var/depthstream/output");
        // null: the cluster's execution.checkpointing.dir applies, on the checkpoints volume
        assertThat(deployed.checkpoints().dir()).isNull();
        assertThat(flinkConfig().get("execution.checkpointing.dir").toString())
                .startsWith("file:///var/depthstream/checkpoints");
        assertThat(mounts(service("jobmanager"))).containsEntry("/var/depthstream/checkpoints", "checkpoints");
    }

    @Test
    void theTaskManagerReservesAnNvidiaGpuOnlyInTheGpuFile() {
        Map<String, Object> taskManager = service("taskmanager");
        List<Object> devices = list(path(taskManager, "deploy", "resources", "reservations", "devices"));
        assertThat(devices).hasSize(1);
        Map<String, Object> gpu = map(devices.get(0));
        assertThat(gpu.get("driver")).isEqualTo("nvidia");
        assertThat(gpu.get("count")).isEqualTo(1);
        assertThat(list(gpu.get("capabilities"))).containsExactly("gpu");
        for (Map.Entry<String, Object> service : services(compose("docker-compose.yml")).entrySet()) {
            if (!service.getKey().equals("taskmanager")) {
                assertThat(map(service.getValue())).as(service.getKey()).doesNotContainKey("deploy");
            }
        }
        // one GPU, one slot, one GPU external resource
        Map<String, Object> flink = flinkConfig();
        assertThat(flink.get("taskmanager.numberOfTaskSlots")).isEqualTo(gpu.get("count"));
        assertThat(flink.get("external-resource.gpu.amount")).isEqualTo(gpu.get("count"));

        Map<String, Object> cpu = services(compose("docker-compose.cpu.yml"));
        Object reset = path(map(cpu.get("taskmanager")), "deploy", "resources", "reservations", "devices");
        assertThat(reset).as("the CPU override resets the GPU reservation").isInstanceOf(Reset.class);
        assertThat(list(((Reset) reset).value())).isEmpty();
        for (Map.Entry<String, Object> service : cpu.entrySet()) {
            if (!service.getKey().equals("taskmanager")) {
                assertThat(map(service.getValue())).as(service.getKey()).doesNotContainKey("deploy");
            }
        }
        assertThat(flinkProperties(map(cpu.get("taskmanager"))))
                .containsEntry("external-resources", ExternalResourceOptions.NONE);
    }

    @Test
    void imagesMatchTheVersionsAndNativesOfTheBuild() {
        BuildInfo build = BuildInfo.load();
        Map<String, Object> gpuBuild = map(service("jobmanager").get("build"));
        assertThat(map(gpuBuild.get("args"))).containsEntry("FLINK_IMAGE", "flink:" + build.flink() + "-java17")
                .containsEntry("PYTORCH_NATIVE", "pytorch-native-cu118")
                .containsEntry("FLINK_LIB", "pipeline/target/flink-lib-gpu");
        Map<String, Object> cpu = services(compose("docker-compose.cpu.yml"));
        assertThat(map(map(map(cpu.get("taskmanager")).get("build")).get("args")))
                .containsEntry("PYTORCH_NATIVE", "pytorch-native-cpu")
                .containsEntry("FLINK_LIB", "pipeline/target/flink-lib");
        String gpuImage = service("jobmanager").get("image").toString();
        for (String name : List.of("jobmanager", "taskmanager", "submit", "replay")) {
            assertThat(service(name).get("image")).as(name).isEqualTo(gpuImage);
            assertThat(map(cpu.get(name)).get("image")).as(name).isNotEqualTo(gpuImage);
        }
        assertThat(readPom(ROOT.resolve("pom.xml")).getElementsByTagName("pytorch.native.artifact").getLength())
                .as("the Maven profiles choose between these two natives").isEqualTo(2);
        assertThat(service("kafka").get("image")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(service("topic-init").get("image")).isEqualTo(service("kafka").get("image"));
    }

    @Test
    void theCreatedTopicsAreTheJobsTopicsWithFrameSizedRecords() throws IOException {
        Map<String, String> created = new LinkedHashMap<>();
        Pattern create = Pattern.compile("^create_topic (\\S+) (\\S+)$");
        for (String line : Files.readAllLines(ROOT.resolve("deploy/kafka/create-topics.sh"))) {
            Matcher matcher = create.matcher(line.trim());
            if (matcher.matches()) {
                created.put(matcher.group(1), matcher.group(2));
            }
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (TopicSpec spec : TopicSpec.streamingTopics(7, (short) 1)) {
            expected.put(spec.name(), spec.partitions() == 7 ? "\"$partitions\"" : Integer.toString(spec.partitions()));
            assertThat(spec.maxMessageBytes()).isEqualTo(WireFormat.MAX_RECORD_BYTES);
        }
        assertThat(created).isEqualTo(expected);
        StreamingConfig.Topics defaults = StreamingConfig.defaults().kafka().topics();
        assertThat(created.keySet()).contains(defaults.frames(), defaults.depth(), defaults.poses(), defaults.dlq());
        assertThat(ConfigFiles.read(ROOT.resolve("deploy/depthstream.yaml")).kafka().topics()).isEqualTo(defaults);

        Map<String, Object> init = environment(service("topic-init"));
        assertThat(init.get("MAX_MESSAGE_BYTES")).isEqualTo(WireFormat.MAX_RECORD_BYTES);
        assertThat(init.get("BOOTSTRAP")).isEqualTo(ConfigFiles.read(ROOT.resolve("deploy/depthstream.yaml"))
                .kafka().bootstrap());
        assertThat(interpolate(init.get("PARTITIONS").toString()))
                .isEqualTo(Integer.toString(StreamingConfig.defaults().kafka().partitions()));
        Map<String, Object> broker = environment(service("kafka"));
        assertThat((Integer) broker.get("KAFKA_MESSAGE_MAX_BYTES")).isGreaterThanOrEqualTo(WireFormat.MAX_RECORD_BYTES);
        assertThat((Integer) broker.get("KAFKA_REPLICA_FETCH_MAX_BYTES"))
                .isGreaterThanOrEqualTo((Integer) broker.get("KAFKA_MESSAGE_MAX_BYTES"));
        assertThat(broker.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR")).isEqualTo(1);
        assertThat(broker.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")).isEqualTo(1);
    }

    @Test
    void replayRunsTheCliReplayCommandOnTheMountedKittiFolder() {
        Map<String, Object> replay = service("replay");
        assertThat(list(replay.get("profiles"))).containsExactly("replay");
        List<String> entrypoint = strings(replay.get("entrypoint"));
        assertThat(entrypoint).contains("-Doffline=true");
        String jar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
        assertThat(mounts(replay)).containsEntry(jar, "./pipeline/target/depthstream-gpu.jar");
        Map<String, Object> cpuReplay = map(services(compose("docker-compose.cpu.yml")).get("replay"));
        assertThat(mounts(cpuReplay)).containsEntry(jar, "./pipeline/target/depthstream.jar");
        List<String> command = strings(replay.get("command"));
        assertThat(command.get(0)).isEqualTo("replay");
        String data = command.get(command.indexOf("--data") + 1);
        assertThat(mounts(replay)).containsKey(data);
        assertThat(command.get(command.indexOf("--bootstrap") + 1))
                .isEqualTo(ConfigFiles.read(ROOT.resolve("deploy/depthstream.yaml")).kafka().bootstrap());
        // the command line accepts exactly these options (parsed, not run)
        CommandLine.ParseResult parsed = DepthstreamCommand.newCommandLine().parseArgs(command.toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("replay");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // flink-conf/config.yaml

    @Test
    void everyFlinkConfigKeyIsAnOptionFlink22Knows() {
        FlinkKeys keys = FlinkKeys.scan();
        Map<String, Object> config = flinkConfig();
        Map<String, String> problems = new LinkedHashMap<>();
        config.forEach((key, value) -> {
            String problem = keys.problem(key, value, config);
            if (problem != null) {
                problems.put(key, problem);
            }
        });
        // keys the compose files add through the image's FLINK_PROPERTIES are Flink keys too
        for (String file : List.of("docker-compose.yml", "docker-compose.cpu.yml")) {
            for (Map.Entry<String, Object> service : services(compose(file)).entrySet()) {
                flinkProperties(map(service.getValue())).forEach((key, value) -> {
                    String problem = keys.problem(key, value, config);
                    if (problem != null) {
                        problems.put(file + " " + service.getKey() + " FLINK_PROPERTIES " + key, problem);
                    }
                });
            }
        }
        assertThat(problems).as("keys Flink 2.2 does not know, or values it cannot parse").isEmpty();
    }

    @Test
    void theKeyCheckRejectsMisspeltAndUndeclaredKeys() {
        FlinkKeys keys = FlinkKeys.scan();
        Map<String, Object> config = flinkConfig();
        assertThat(keys.problem("taskmanager.memory.task.off-heap.size", "4g", config)).isNull();
        assertThat(keys.problem("metrics.reporter.prom.port", 9249, config)).isNull();
        assertThat(keys.problem("metrics.reporter.prom.interval", "10s", config)).isNull();
        assertThat(keys.problem("external-resource.gpu.amount", 1, config)).isNull();

        for (String misspelt : List.of("taskmanager.memory.task.offheap.size", "taskmanager.numberOfTaskslots",
                "execution.checkpointing.intervall", "restart-strategy.exponential-delay.max-backof",
                "metrics.reporter.prom.prot", "metrics.reporter.prom.factory.klass", "metrics.reporter.other.port",
                "external-resource.gpu.amout", "external-resource.tpu.amount",
                "external-resource.gpu.param.discovery-script.pth", "factory.class", "amount")) {
            assertThat(keys.problem(misspelt, "1", config)).as(misspelt).isNotNull();
        }
        assertThat(keys.problem("taskmanager.memory.task.off-heap.size", "four gigabytes", config))
                .as("a value Flink cannot parse").isNotNull();
    }

    @Test
    void theClusterConfigCarriesWhatTheJobAndDjlNeed() {
        Map<String, Object> config = flinkConfig();
        assertThat(MemorySize.parse(config.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE.key()).toString()))
                .as("the network buffers the job is tuned for (StreamingJob.localConfiguration)")
                .isEqualTo(MemorySize.parse(StreamingJob.NETWORK_SEGMENT_SIZE));
        assertThat(strings(config.get("classloader.parent-first-patterns.additional"))).contains("ai.djl.");
        assertThat(config.get("env.java.opts.all").toString()).contains("-Doffline=true");
        assertThat(config.get("execution.checkpointing.mode")).isEqualTo("EXACTLY_ONCE");
        assertThat(config.get("external-resource.gpu.driver-factory.class"))
                .isEqualTo("org.apache.flink.externalresource.gpu.GPUDriverFactory");
        assertThat(config.get("external-resource.gpu.param.discovery-script.path"))
                .isEqualTo("plugins/external-resource-gpu/nvidia-gpu-discovery.sh");
        assertThat(MemorySize.parse(config.get("taskmanager.memory.task.off-heap.size").toString()).getBytes())
                .isGreaterThanOrEqualTo(MemorySize.parse("2g").getBytes());
        assertThat(ROOT.resolve("flink-conf/log4j-console.properties")).exists();
        assertThat(ROOT.resolve("flink-conf/log4j.properties")).exists();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Flink's options, collected from the classes on the test class path

    /** The option keys of Flink 2.2, and the templates of its per-name key families. */
    static final class FlinkKeys {

        /** Flink's options classes (flink-core 2.2); a class missing here fails the scan. */
        private static final List<String> OPTION_CLASSES = List.of(
                "AlgorithmOptions", "BatchExecutionOptions", "BlobServerOptions", "CheckpointingOptions",
                "CleanupOptions", "ClusterOptions", "CoreOptions", "DeploymentOptions", "EventOptions",
                "ExecutionOptions", "ExternalResourceOptions", "HeartbeatManagerOptions", "HighAvailabilityOptions",
                "HistoryServerOptions", "JMXServerOptions", "JobEventStoreOptions", "JobManagerOptions",
                "MetricOptions", "NettyShuffleEnvironmentOptions", "PipelineOptions", "ResourceManagerOptions",
                "RestartStrategyOptions", "RestOptions", "RpcOptions", "SecurityOptions", "SlowTaskDetectorOptions",
                "StateBackendOptions", "StateChangelogOptions", "StateRecoveryOptions", "TaskManagerOptions",
                "TraceOptions", "WebOptions");

        /**
         * Parameters the GPU driver reads under {@code external-resource.<name>.param.}: the keys of
         * {@code org.apache.flink.externalresource.gpu.GPUDriverOptions} (DISCOVERY_SCRIPT_PATH, DISCOVERY_SCRIPT_ARG).
         * Written out because flink-external-resource-gpu 2.2.0 is not on Maven Central (the Flink distribution ships
         * it in plugins/); the keys are unchanged since the driver appeared in Flink 1.11.
         */
        private static final Map<String, Set<String>> DRIVER_PARAMETERS = Map.of(
                "org.apache.flink.externalresource.gpu.GPUDriverFactory",
                Set.of("discovery-script.path", "discovery-script.args"));

        private final Map<String, ConfigOption<?>> exact;
        /** prefix template (e.g. {@code metrics.reporter.<name>}) → the suffix keys declared under it */
        private final Map<String, Set<String>> suffixes;

        private FlinkKeys(Map<String, ConfigOption<?>> exact, Map<String, Set<String>> suffixes) {
            this.exact = exact;
            this.suffixes = suffixes;
        }

        static FlinkKeys scan() {
            Map<String, ConfigOption<?>> exact = new HashMap<>();
            Map<String, Set<String>> suffixes = new HashMap<>();
            for (String name : OPTION_CLASSES) {
                Class<?> type;
                try {
                    type = Class.forName("org.apache.flink.configuration." + name);
                } catch (ClassNotFoundException e) {
                    throw new AssertionError("Flink options class " + name + " is not on the class path", e);
                }
                for (Field field : type.getFields()) {
                    if (!Modifier.isStatic(field.getModifiers()) || !ConfigOption.class.equals(field.getType())) {
                        continue;
                    }
                    ConfigOption<?> option;
                    try {
                        option = (ConfigOption<?>) field.get(null);
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                    Documentation.SuffixOption suffix = field.getAnnotation(Documentation.SuffixOption.class);
                    if (suffix != null) {
                        // only valid below a named prefix, never as a top-level key
                        suffixes.computeIfAbsent(suffix.value(), k -> new TreeSet<>()).add(option.key());
                        continue;
                    }
                    if (option.key().contains("<")) {
                        // a documentation template such as external-resource.<resource_name>.amount: the key
                        // builders of ExternalResourceOptions stand for it below
                        continue;
                    }
                    exact.put(option.key(), option);
                    for (FallbackKey fallback : option.fallbackKeys()) {
                        exact.putIfAbsent(fallback.getKey(), option);
                    }
                }
            }
            assertThat(suffixes).as("Flink declares the reporter key family").containsKey("metrics.reporter.<name>");
            assertThat(exact).as("the scan found Flink's options").containsKeys("taskmanager.numberOfTaskSlots",
                    "execution.checkpointing.interval", "external-resources");
            return new FlinkKeys(exact, suffixes);
        }

        /** Why {@code key} is not a valid Flink 2.2 setting in {@code config}, or null when it is. */
        String problem(String key, Object value, Map<String, Object> config) {
            ConfigOption<?> option = exact.get(key);
            if (option != null) {
                Configuration configuration = new Configuration();
                configuration.setString(key, flinkString(value));
                try {
                    configuration.get(option);
                    return null;
                } catch (RuntimeException e) {
                    return "cannot parse " + value + ": " + e.getMessage();
                }
            }
            if (key.startsWith("metrics.reporter.")) {
                return reporterProblem(key, config);
            }
            if (key.startsWith("external-resource.")) {
                return externalResourceProblem(key, config);
            }
            return "no such option in " + OPTION_CLASSES.size() + " Flink options classes";
        }

        private String reporterProblem(String key, Map<String, Object> config) {
            String[] parts = key.split("\\.", 4);
            if (parts.length < 4) {
                return "metrics.reporter.<name>.<option> expected";
            }
            String name = parts[2];
            String option = parts[3];
            if (suffixes.get("metrics.reporter.<name>").contains(option)) {
                return null;
            }
            // options of the reporter itself: the ARG_* constants of its factory
            Object factory = config.get("metrics.reporter." + name + ".factory.class");
            if (factory == null) {
                return "reporter " + name + " has no factory.class, and " + option + " is no MetricOptions suffix";
            }
            Set<String> reporterKeys = new TreeSet<>();
            try {
                Class<?> type = Class.forName(factory.toString());
                if (!MetricReporterFactory.class.isAssignableFrom(type)) {
                    return factory + " is not a MetricReporterFactory";
                }
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) && field.getName().startsWith("ARG_")
                            && field.getType().equals(String.class)) {
                        field.setAccessible(true);
                        reporterKeys.add((String) field.get(null));
                    }
                }
            } catch (ReflectiveOperationException e) {
                return "reporter factory " + factory + " cannot be loaded: " + e;
            }
            return reporterKeys.contains(option) ? null
                    : option + " is neither a MetricOptions reporter suffix nor one of " + reporterKeys;
        }

        private String externalResourceProblem(String key, Map<String, Object> config) {
            String[] parts = key.split("\\.", 3);
            if (parts.length < 3) {
                return "external-resource.<name>.<option> expected";
            }
            String name = parts[1];
            List<String> declared = strings(config.get(ExternalResourceOptions.EXTERNAL_RESOURCE_LIST.key()));
            if (!declared.contains(name)) {
                return "resource " + name + " is not listed in external-resources " + declared;
            }
            Set<String> known = new TreeSet<>();
            known.add(ExternalResourceOptions.getAmountConfigOptionForResource(name));
            known.add(ExternalResourceOptions.getExternalResourceDriverFactoryConfigOptionForResource(name));
            if (known.contains(key)) {
                return null;
            }
            String paramPrefix = ExternalResourceOptions.getExternalResourceParamConfigPrefixForResource(name);
            if (key.startsWith(paramPrefix)) {
                Object factory = config.get(
                        ExternalResourceOptions.getExternalResourceDriverFactoryConfigOptionForResource(name));
                Set<String> parameters = factory == null ? Set.of()
                        : DRIVER_PARAMETERS.getOrDefault(factory.toString(), Set.of());
                return parameters.contains(key.substring(paramPrefix.length())) ? null
                        : "driver " + factory + " takes the parameters " + parameters;
            }
            return "not one of " + known + " nor " + paramPrefix + "*";
        }

        /** A YAML value as Flink's string form: lists as Flink's legacy {@code a;b} list syntax. */
        private static String flinkString(Object value) {
            if (value instanceof List<?> items) {
                return items.stream().map(Object::toString).collect(Collectors.joining(";"));
            }
            return String.valueOf(value);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // helpers

    /** {@code ./depthstream stream --print-submit} for the deployment: the flink run tokens and the config text. */
    private record PrintSubmit(List<String> command, String config) {}

    private static PrintSubmit printSubmit() {
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute("stream", "--print-submit", "--bootstrap", "kafka:9092", "--weights", WEIGHTS,
                "--out-dir", OUTPUT);
        assertThat(exit).as(err.toString()).isZero();
        List<String> command = null;
        StringBuilder config = new StringBuilder();
        for (String line : out.toString().split("\n")) {
            if (line.startsWith("#") && line.contains("flink run")) {
                command = flinkRun(line.substring(1));
            } else if (!line.startsWith("#")) {
                config.append(line).append('\n');
            }
        }
        assertThat(command).as("print-submit prints a flink run line: %s", out).isNotNull();
        return new PrintSubmit(command, config.toString());
    }

    /** The tokens of the {@code flink run ...} command inside a shell command line, up to its end. */
    private static List<String> flinkRun(String shell) {
        int start = shell.indexOf("flink run");
        assertThat(start).as("a flink run command in: %s", shell).isNotNegative();
        String rest = shell.substring(start);
        int end = rest.indexOf(';');
        if (end >= 0) {
            rest = rest.substring(0, end);
        }
        return Arrays.stream(rest.trim().split("\\s+")).toList();
    }

    private static String commandOf(String serviceName) {
        return String.join(" ", strings(service(serviceName).get("command")));
    }

    /** The job jar's name from pipeline/pom.xml: the shade execution attaching the {@code job} classifier. */
    private static String jobJarName() {
        Document pipeline = readPom(ROOT.resolve("pipeline/pom.xml"));
        String artifactId = directChild(pipeline.getDocumentElement(), "artifactId");
        String version = directChild((Element) pipeline.getElementsByTagName("parent").item(0), "version");
        NodeList classifiers = pipeline.getElementsByTagName("shadedClassifierName");
        assertThat(classifiers.getLength()).isEqualTo(1);
        assertThat(BuildInfo.load().version()).isEqualTo(version);
        return artifactId + "-" + version + "-" + classifiers.item(0).getTextContent().trim() + ".jar";
    }

    /**
     * The output names of the two builds: the parent pom's defaults (CPU) and its gpu profile's, which differ so a
     * GPU build never replaces the CPU build's outputs.
     */
    private static List<Map<String, String>> outputNamesPerBuild() {
        String pom;
        try {
            pom = Files.readString(ROOT.resolve("pom.xml"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        List<Map<String, String>> builds = new ArrayList<>();
        for (String scope : List.of(pom.substring(0, pom.indexOf("<profiles>")),
                pom.substring(pom.indexOf("<id>gpu</id>")))) {
            Map<String, String> names = new java.util.HashMap<>();
            for (String property : List.of("cli.jar.name", "flink.lib.directory")) {
                java.util.regex.Matcher m = java.util.regex.Pattern
                        .compile("<" + java.util.regex.Pattern.quote(property) + ">([^<]+)</").matcher(scope);
                assertThat(m.find()).as("%s in pom.xml", property).isTrue();
                names.put("${" + property + "}", m.group(1).trim());
            }
            builds.add(names);
        }
        assertThat(builds.get(0)).isNotEqualTo(builds.get(1));
        return builds;
    }

    private static Set<String> resolvedForEveryBuild(String path) {
        Set<String> resolved = new LinkedHashSet<>();
        for (Map<String, String> names : outputNamesPerBuild()) {
            String value = path;
            for (Map.Entry<String, String> name : names.entrySet()) {
                value = value.replace(name.getKey(), name.getValue());
            }
            resolved.add(value);
        }
        return resolved;
    }

    /** Paths (relative to the repository) that {@code mvn package} and {@code mvn -Pgpu package} create. */
    private static Set<String> buildOutputs() {
        Document pipeline = readPom(ROOT.resolve("pipeline/pom.xml"));
        Set<String> outputs = new LinkedHashSet<>();
        outputs.add("pipeline/target");
        outputs.add("pipeline/target/" + jobJarName());
        NodeList files = pipeline.getElementsByTagName("outputFile");
        for (int i = 0; i < files.getLength(); i++) {
            outputs.addAll(resolvedForEveryBuild(
                    files.item(i).getTextContent().trim().replace("${project.build.directory}", "pipeline/target")));
        }
        NodeList directories = pipeline.getElementsByTagName("outputDirectory");
        for (int i = 0; i < directories.getLength(); i++) {
            outputs.addAll(resolvedForEveryBuild(directories.item(i).getTextContent().trim()
                    .replace("${project.build.directory}", "pipeline/target")));
        }
        assertThat(outputs).contains("pipeline/target/depthstream.jar", "pipeline/target/flink-lib",
                "pipeline/target/depthstream-gpu.jar", "pipeline/target/flink-lib-gpu");
        return outputs;
    }

    private static List<String> dockerfileCopySources() {
        List<String> sources = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(ROOT.resolve("deploy/flink/Dockerfile"))) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 3 && words[0].equals("COPY")) {
                    sources.addAll(Arrays.asList(words).subList(1, words.length - 1).stream()
                            .filter(word -> !word.startsWith("--")).toList());
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(sources).isNotEmpty();
        return sources;
    }

    /** Whether the root .dockerignore (exclude all, then {@code !path} exceptions) sends {@code relative}. */
    private static boolean dockerignoreAdmits(String relative) {
        try {
            return Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                    .map(String::trim)
                    .filter(line -> line.startsWith("!"))
                    .map(line -> line.substring(1).replaceAll("/$", ""))
                    .anyMatch(admitted -> relative.equals(admitted) || relative.startsWith(admitted + "/"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void checkBuild(String service, Object build) {
        if (build == null) {
            return;
        }
        Map<String, Object> body = build instanceof String context ? Map.of("context", context) : map(build);
        Path context = ROOT.resolve(body.getOrDefault("context", ".").toString()).normalize();
        assertThat(context).as("%s build context", service).isDirectory();
        Path dockerfile = context.resolve(body.getOrDefault("dockerfile", "Dockerfile").toString());
        assertThat(dockerfile).as("%s Dockerfile", service).isRegularFile();
        if (body.get("args") != null) {
            String text;
            try {
                text = Files.readString(dockerfile);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            for (String arg : map(body.get("args")).keySet()) {
                assertThat(text).as("%s: build arg %s is declared in %s", service, arg, dockerfile)
                        .containsPattern("(?m)^ARG " + Pattern.quote(arg) + "(=|$)");
            }
        }
    }

    /** Container path → host path or volume name of a service's short-syntax volumes. */
    private static Map<String, String> mounts(Map<String, Object> service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object volume : list(service.get("volumes"))) {
            String[] parts = interpolate(volume.toString()).split(":");
            mounts.put(parts[1], parts[0]);
        }
        return mounts;
    }

    /** Key → value of the Flink image's FLINK_PROPERTIES (one {@code key: value} per line) of a service. */
    private static Map<String, Object> flinkProperties(Map<String, Object> service) {
        Object properties = service.get("environment") == null ? null
                : environment(service).get("FLINK_PROPERTIES");
        Map<String, Object> parsed = new LinkedHashMap<>();
        if (properties != null) {
            for (String line : properties.toString().split("\n")) {
                int colon = line.indexOf(':');
                if (!line.isBlank()) {
                    assertThat(colon).as("FLINK_PROPERTIES line %s", line).isPositive();
                    parsed.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        }
        return parsed;
    }

    private static Map<String, Object> environment(Map<String, Object> service) {
        return map(service.get("environment"));
    }

    /** Compose's variable syntax resolved to its defaults ({@code ${NAME:-default}}); a variable without one fails. */
    private static String interpolate(String text) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            assertThat(matcher.group(2)).as("variable %s has a default", matcher.group(1)).isNotNull();
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(matcher.group(2)));
        }
        matcher.appendTail(resolved);
        return resolved.toString();
    }

    private static Map<String, Object> flinkConfig() {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", load(ROOT.resolve("flink-conf/config.yaml")), flat);
        return flat;
    }

    /** Nested YAML keys joined with dots, as Flink reads config.yaml. */
    private static void flatten(String prefix, Map<String, Object> nested, Map<String, Object> flat) {
        nested.forEach((key, value) -> {
            String name = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?>) {
                flatten(name, map(value), flat);
            } else {
                flat.put(name, value);
            }
        });
    }

    private static Map<String, Object> service(String name) {
        Map<String, Object> services = services(compose("docker-compose.yml"));
        assertThat(services).containsKey(name);
        return map(services.get(name));
    }

    private static Map<String, Object> services(Map<String, Object> compose) {
        return map(compose.get("services"));
    }

    private static Map<String, Object> compose(String file) {
        return load(ROOT.resolve(file));
    }

    /** A YAML file with merge keys and aliases resolved, compose's {@code !reset} kept as {@link Reset}. */
    private static Map<String, Object> load(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            Object document = new Yaml(new ComposeConstructor(options)).load(Files.readString(file));
            return map(document);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    /** Compose's {@code !reset} tag: the value it resets a key to. */
    record Reset(Object value) {}

    private static final class ComposeConstructor extends SafeConstructor {
        ComposeConstructor(LoaderOptions options) {
            super(options);
            Tag reset = new Tag("!reset");
            yamlConstructors.put(reset, new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    // the tagged node's content as plain YAML
                    return new Reset(switch (node.getNodeId()) {
                        case sequence -> constructSequence((SequenceNode) node);
                        case mapping -> constructMapping((MappingNode) node);
                        default -> constructScalar((ScalarNode) node);
                    });
                }
            });
        }
    }

    private static Document readPom(Path pom) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(pom.toFile());
        } catch (Exception e) {
            throw new AssertionError("cannot read " + pom, e);
        }
    }

    private static String directChild(Element element, String tag) {
        NodeList children = element.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element child && child.getTagName().equals(tag)) {
                return child.getTextContent().trim();
            }
        }
        throw new AssertionError("no <" + tag + "> under <" + element.getTagName() + ">");
    }

    private static Object path(Map<String, Object> root, String... keys) {
        Object current = root;
        for (String key : keys) {
            assertThat(current).as("%s in %s", key, Arrays.toString(keys)).isInstanceOf(Map.class);
            current = map(current).get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }

    private static List<String> strings(Object value) {
        if (value instanceof List<?> items) {
            return items.stream().map(Object::toString).toList();
        }
        return value == null ? List.of() : List.of(value.toString());
    }

    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path candidate = here; candidate != null; candidate = candidate.getParent()) {
            if (Files.exists(candidate.resolve("docker-compose.yml")) && Files.exists(candidate.resolve("pom.xml"))) {
                return candidate;
            }
        }
        throw new AssertionError("no repository root with docker-compose.yml above " + here);
    }
}
