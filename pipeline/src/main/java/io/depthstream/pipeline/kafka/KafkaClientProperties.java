package io.depthstream.pipeline.kafka;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigTransformer;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka client properties given by the user ({@code kafka.properties}, {@code --kafka-config},
 * {@code --kafka-property}): security and tuning settings that every client the project creates takes, and that
 * are shown only redacted.
 *
 * @param values property names and their values as given (config provider references unresolved)
 */
public record KafkaClientProperties(Map<String, String> values) {

    /** What a secret is replaced with wherever the properties are shown. */
    public static final String REDACTED = "[redacted]";

    /** Names of properties that depthstream sets itself, with what to use instead. */
    private static final Map<String, String> RESERVED = reserved();

    private static final Set<String> PRODUCER = ProducerConfig.configNames();
    private static final Set<String> CONSUMER = ConsumerConfig.configNames();
    private static final Set<String> ADMIN = AdminClientConfig.configNames();
    private static final Set<String> PASSWORDS = passwordNames();
    /** Names that hold secrets though Kafka's own definitions do not say so (plugins' settings). */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|jaas|token|credential).*");
    private static final Pattern JAAS_OPTION = Pattern.compile("([A-Za-z0-9_.-]+)\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s;\"]+)");

    /** Immutable and sorted, so printed configurations and comparisons are stable. */
    public KafkaClientProperties {
        if (values == null) {
            values = Map.of();
        }
        for (Map.Entry<String, String> entry : values.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw new IllegalArgumentException("Kafka client property " + entry.getKey() + " has no value");
            }
        }
        values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** No properties: plaintext clients with Kafka's defaults. */
    public static KafkaClientProperties none() {
        return new KafkaClientProperties(Map.of());
    }

    /**
     * One {@code KEY=VALUE} assignment (the value may contain {@code =}).
     *
     * @throws IllegalArgumentException naming the assignment when it has no {@code =} or no key
     */
    public static KafkaClientProperties parseAssignment(String assignment) {
        int equals = assignment.indexOf('=');
        if (equals < 1 || assignment.substring(0, equals).isBlank()) {
            throw new IllegalArgumentException("--kafka-property expects KEY=VALUE, got '"
                    + (assignment.length() > 40 ? assignment.substring(0, 40) + "…" : assignment) + "'");
        }
        return new KafkaClientProperties(Map.of(assignment.substring(0, equals).strip(),
                assignment.substring(equals + 1).strip()));
    }

    /**
     * A Java properties file, as Kafka's own tools take with {@code --command-config}.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    public static KafkaClientProperties read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read Kafka client properties " + file + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Kafka client properties " + file + " are malformed: "
                    + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            values.put(name.strip(), properties.getProperty(name).strip());
        }
        return new KafkaClientProperties(values);
    }

    /** These properties with {@code overlay}'s replacing or adding to them. */
    public KafkaClientProperties with(KafkaClientProperties overlay) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(overlay.values());
        return new KafkaClientProperties(merged);
    }

    /** Whether no property is set. */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** {@code security.protocol}, Kafka's default PLAINTEXT when unset. */
    public String securityProtocol() {
        return values.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(java.util.Locale.ROOT);
    }

    /** Whether the clients speak TLS. */
    public boolean usesTls() {
        return securityProtocol().endsWith("SSL");
    }

    /** The SASL user named in {@code sasl.jaas.config}, or null when there is none to show. */
    public String saslUser() {
        String jaas = values.get("sasl.jaas.config");
        if (jaas == null) {
            return null;
        }
        Matcher option = JAAS_OPTION.matcher(jaas);
        while (option.find()) {
            if (option.group(1).equals("username")) {
                String user = unquote(option.group(2));
                return isReference(user) ? null : user;
            }
        }
        return null;
    }

    /**
     * Why these properties cannot be used, or null when they can: one line naming the first bad key under
     * {@code keyPrefix} (e.g. {@code kafka.properties.}).
     */
    public String problem(String keyPrefix) {
        Set<String> providers = new LinkedHashSet<>();
        String providerList = values.get(AbstractConfig.CONFIG_PROVIDERS_CONFIG);
        if (providerList != null) {
            for (String provider : providerList.split(",")) {
                if (!provider.isBlank()) {
                    providers.add(provider.strip());
                }
            }
        }
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            if (RESERVED.containsKey(key)) {
                return keyPrefix + key + " is set by depthstream: " + RESERVED.get(key);
            }
            if (!isKnown(key)) {
                return keyPrefix + key + " is not a Kafka producer, consumer or admin client property";
            }
            if (value.contains(REDACTED)) {
                return keyPrefix + key + " holds the " + REDACTED + " placeholder that depthstream prints in place of "
                        + "a secret: give the secret itself, or better a reference such as "
                        + "${file:/etc/depthstream/kafka-secrets.properties:" + key + "}";
            }
            Matcher reference = ConfigTransformer.DEFAULT_PATTERN.matcher(value);
            while (reference.find()) {
                String provider = reference.group(1);
                if (!providers.contains(provider)) {
                    return keyPrefix + key + " refers to config provider '" + provider + "', which is not configured: "
                            + "add " + keyPrefix + "config.providers: " + provider + " and " + keyPrefix
                            + "config.providers." + provider + ".class (for files: "
                            + "org.apache.kafka.common.config.provider.FileConfigProvider)";
                }
            }
        }
        for (String provider : providers) {
            if (!values.containsKey("config.providers." + provider + ".class")) {
                return keyPrefix + "config.providers names '" + provider + "' but " + keyPrefix + "config.providers."
                        + provider + ".class is not set";
            }
        }
        return null;
    }

    /**
     * Files these properties name that are missing or unreadable here, as one line, or null when all can be read:
     * key stores ({@code *.location}) and the files of {@code ${file:PATH:KEY}} references, whose keys must be in
     * them.
     */
    public String fileProblem(String keyPrefix) {
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            Matcher reference = ConfigTransformer.DEFAULT_PATTERN.matcher(value);
            boolean referred = false;
            while (reference.find()) {
                referred = true;
                String provider = reference.group(1);
                String path = reference.group(3);
                String name = reference.group(4);
                String providerClass = values.get("config.providers." + provider + ".class");
                if (path == null || providerClass == null
                        || !providerClass.equals("org.apache.kafka.common.config.provider.FileConfigProvider")) {
                    continue;
                }
                String problem = unreadable(keyPrefix + key, Path.of(path));
                if (problem != null) {
                    return problem;
                }
                Properties secrets = new Properties();
                try (Reader reader = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
                    secrets.load(reader);
                } catch (IOException | IllegalArgumentException e) {
                    return keyPrefix + key + " refers to " + path + ", which is not a properties file: "
                            + e.getMessage();
                }
                if (!secrets.containsKey(name)) {
                    return keyPrefix + key + " refers to key '" + name + "' of " + path + ", which has no such key";
                }
            }
            if (!referred && key.endsWith(".location")) {
                String problem = unreadable(keyPrefix + key, Path.of(value));
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private static String unreadable(String key, Path file) {
        if (!Files.exists(file)) {
            return key + ": " + file + " does not exist";
        }
        if (!Files.isRegularFile(file)) {
            return key + ": " + file + " is not a file";
        }
        if (!Files.isReadable(file)) {
            return key + ": " + file + " is not readable by this user";
        }
        return null;
    }

    /** The properties a producer takes, with {@code own} (depthstream's settings) added. */
    public Map<String, Object> producer(Map<String, ?> own) {
        return forClient(PRODUCER, own);
    }

    /** The properties a consumer takes, with {@code own} added. */
    public Map<String, Object> consumer(Map<String, ?> own) {
        return forClient(CONSUMER, own);
    }

    /** The properties an admin client takes, with {@code own} added. */
    public Map<String, Object> admin(Map<String, ?> own) {
        return forClient(ADMIN, own);
    }

    /**
     * The properties a Flink Kafka source takes: its consumers' and the admin client's that discovers partitions
     * (both get the same properties).
     */
    public Properties source() {
        Properties properties = new Properties();
        values.forEach((key, value) -> {
            if (CONSUMER.contains(key) || ADMIN.contains(key) || isProviderSetting(key)) {
                properties.setProperty(key, value);
            }
        });
        return properties;
    }

    /** The properties a Flink Kafka sink's producers take. */
    public Properties sink() {
        Properties properties = new Properties();
        forClient(PRODUCER, Map.of()).forEach((key, value) -> properties.setProperty(key, value.toString()));
        return properties;
    }

    private Map<String, Object> forClient(Set<String> known, Map<String, ?> own) {
        Map<String, Object> config = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (known.contains(key) || isProviderSetting(key)) {
                config.put(key, value);
            }
        });
        config.putAll(own);
        return config;
    }

    /** The properties with every secret replaced by {@link #REDACTED} (config provider references stay). */
    public Map<String, String> redacted() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((key, value) -> shown.put(key, isSecret(key) ? redact(key, value) : value));
        return shown;
    }

    /** Keys whose values hold a secret inline rather than a config provider reference. */
    public Set<String> inlineSecrets() {
        Set<String> keys = new TreeSet<>();
        values.forEach((key, value) -> {
            if (isSecret(key) && !redact(key, value).equals(value)) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** {@code text} with every inline secret of these properties (whole values and JAAS options) replaced. */
    public String scrub(String text) {
        if (text == null) {
            return null;
        }
        String scrubbed = text;
        for (String secret : secretTexts()) {
            scrubbed = scrubbed.replace(secret, REDACTED);
        }
        return scrubbed;
    }

    /** Secret values as they would appear in a message, longest first so parts never hide wholes. */
    private List<String> secretTexts() {
        Set<String> secrets = new TreeSet<>((a, b) -> a.length() != b.length() ? b.length() - a.length()
                : a.compareTo(b));
        values.forEach((key, value) -> {
            if (!isSecret(key) || value.isEmpty()) {
                return;
            }
            secrets.add(value);
            Matcher option = JAAS_OPTION.matcher(value);
            while (option.find()) {
                String optionValue = unquote(option.group(2));
                if (!option.group(1).equals("username") && optionValue.length() >= 3 && !isReference(optionValue)) {
                    secrets.add(optionValue);
                }
            }
        });
        return List.copyOf(secrets);
    }

    /** Whether {@code key} holds a secret: a Kafka password setting, a JAAS configuration or a name that says so. */
    public static boolean isSecret(String key) {
        // an endpoint address names where a token comes from, it is not one
        return PASSWORDS.contains(key) || (SECRET_NAME.matcher(key).matches() && !key.endsWith(".url"));
    }

    private static String redact(String key, String value) {
        if (isReference(value)) {
            return value;
        }
        if (key.endsWith("sasl.jaas.config")) {
            // the login module and user are what an operator needs to see; every other option may be a secret
            StringBuilder shown = new StringBuilder();
            Matcher option = JAAS_OPTION.matcher(value);
            int end = 0;
            while (option.find()) {
                shown.append(value, end, option.start());
                String optionValue = unquote(option.group(2));
                boolean keep = option.group(1).equals("username") || isReference(optionValue);
                shown.append(option.group(1)).append('=')
                        .append(keep ? option.group(2) : "\"" + REDACTED + "\"");
                end = option.end();
            }
            shown.append(value.substring(end));
            return shown.toString();
        }
        return REDACTED;
    }

    /** Whether {@code value} is nothing but config provider references (and blanks). */
    static boolean isReference(String value) {
        return !value.isBlank() && ConfigTransformer.DEFAULT_PATTERN.matcher(value).replaceAll("").isBlank();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    private static boolean isKnown(String key) {
        return PRODUCER.contains(key) || CONSUMER.contains(key) || ADMIN.contains(key) || isProviderSetting(key);
    }

    private static boolean isProviderSetting(String key) {
        return key.equals(AbstractConfig.CONFIG_PROVIDERS_CONFIG) || key.startsWith("config.providers.");
    }

    private static Set<String> passwordNames() {
        Set<String> names = new TreeSet<>();
        for (ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                AdminClientConfig.configDef())) {
            def.configKeys().forEach((name, key) -> {
                if (key.type() == ConfigDef.Type.PASSWORD) {
                    names.add(name);
                }
            });
        }
        return names;
    }

    private static Map<String, String> reserved() {
        Map<String, String> reserved = new LinkedHashMap<>();
        reserved.put("bootstrap.servers", "use kafka.bootstrap (--bootstrap)");
        reserved.put("group.id", "use kafka.group-id");
        reserved.put("auto.offset.reset", "use kafka.start-from");
        reserved.put("transactional.id", "each exactly-once sink has its own, from kafka.group-id");
        reserved.put("enable.auto.commit", "offsets are committed at checkpoints");
        reserved.put("isolation.level", "the job reads frames as written and results read_committed");
        for (String side : List.of("key", "value")) {
            reserved.put(side + ".serializer", "records are bytes in depthstream's wire format");
            reserved.put(side + ".deserializer", "records are bytes in depthstream's wire format");
        }
        return Collections.unmodifiableMap(reserved);
    }
}
