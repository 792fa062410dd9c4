package org.herd.node.config;

import org.herd.stream.model.TopicNames;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The herd's configuration: built-in defaults, then {@code config/herd.properties} (or the file
 * given), then environment variables. Every key {@code a.b.c} can be overridden by
 * {@code HERD_A_B_C}; {@code KAFKA_BOOTSTRAP_SERVERS} overrides {@code kafka.bootstrap.servers}.
 * Keys starting with {@code kafka.client.} are passed, without that prefix, to every Kafka client
 * (for TLS or SASL settings).
 */
public final class HerdConfig {
    public static final List<String> DEFAULT_NODES = Settings.DEFAULT_NODES;
    public static final Path DEFAULT_FILE = Path.of("config", "herd.properties");
    private static final String CLIENT_PREFIX = "kafka.client.";
    private static final String CLIENT_ENV_PREFIX = "HERD_KAFKA_CLIENT_";
    private static final List<Settings.NodePort> NODE_PORTS = List.of(Settings.TCP_PORT, Settings.HTTP_PORT,
            Settings.ADMIN_PORT);

    /** The environment variable that overrides {@code key}. */
    public static String envName(String key) {
        return "HERD_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** Whether the herd reads this environment variable (for checking deployment files). */
    public static boolean readsEnv(String name) {
        return name.equals("KAFKA_BOOTSTRAP_SERVERS") || name.equals("HERD_CONFIG")
                || name.startsWith(CLIENT_ENV_PREFIX)
                || name.matches("HERD_NODE_[A-Z0-9]+_(TCP|HTTP|ADMIN)_PORT")
                || defaults().keySet().stream().anyMatch(k -> envName(k).equals(name));
    }

    private final Map<String, String> values;

    private HerdConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Every key with its default (see {@link Settings}). */
    public static Map<String, String> defaults() {
        return Settings.defaults();
    }

    /** Defaults, then {@code file} if it exists, then the environment. */
    public static HerdConfig load(Path file, Map<String, String> env) throws IOException {
        Map<String, String> v = new HashMap<>(defaults());
        if (file != null && Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> v.put(k, p.getProperty(k).trim()));
        }
        return new HerdConfig(v).withEnvironment(env).validated();
    }

    /** A config from defaults plus {@code overrides} (for tests and embedding). */
    public static HerdConfig of(Map<String, String> overrides) {
        Map<String, String> v = new HashMap<>(defaults());
        v.putAll(overrides);
        return new HerdConfig(v).validated();
    }

    private HerdConfig withEnvironment(Map<String, String> env) {
        Map<String, String> v = new HashMap<>(values);
        for (String key : List.copyOf(v.keySet())) {
            String name = envName(key);
            if (env.containsKey(name)) {
                v.put(key, env.get(name).trim());
            }
        }
        // Node ports of nodes added by configuration, e.g. HERD_NODE_ALFORD_TCP_PORT.
        for (String node : split(v.get(Settings.HERD_NODES.key()))) {
            for (Settings.NodePort port : NODE_PORTS) {
                String name = envName(port.key(node));
                if (env.containsKey(name)) {
                    v.put(port.key(node), env.get(name).trim());
                }
            }
        }
        // Kafka client settings, e.g. HERD_KAFKA_CLIENT_SECURITY_PROTOCOL -> kafka.client.security.protocol
        env.forEach((name, value) -> {
            if (name.startsWith(CLIENT_ENV_PREFIX) && name.length() > CLIENT_ENV_PREFIX.length()) {
                v.put(CLIENT_PREFIX + name.substring(CLIENT_ENV_PREFIX.length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.'), value.trim());
            }
        });
        if (env.containsKey("KAFKA_BOOTSTRAP_SERVERS") && !env.get("KAFKA_BOOTSTRAP_SERVERS").isBlank()) {
            v.put(Settings.KAFKA_BOOTSTRAP_SERVERS.key(), env.get("KAFKA_BOOTSTRAP_SERVERS").trim());
            v.put(Settings.KAFKA_EMBEDDED.key(), "false");
        }
        return new HerdConfig(v);
    }

    public String get(String key) {
        String s = values.get(key);
        if (s == null) {
            throw new IllegalArgumentException("missing configuration key " + key);
        }
        return s;
    }

    /** The value of {@code setting}, read as its type; a bad value is an error naming the key and its rule. */
    public <T> T get(Setting<T> setting) {
        return setting.read(get(setting.key()));
    }

    /** Checks every value once, so a bad one stops the node at start rather than when first used. */
    private HerdConfig validated() {
        Settings.all().forEach(this::get);
        // A replica that paused as long as a read waits would leave every read at another node
        // answering stale under a steady trickle of writes.
        if (get(Settings.REPLICA_APPLY_PAUSE).compareTo(get(Settings.READ_FRESHNESS_TIMEOUT).dividedBy(2)) > 0) {
            throw new IllegalArgumentException("configuration key " + Settings.REPLICA_APPLY_PAUSE.key()
                    + " must be at most half of " + Settings.READ_FRESHNESS_TIMEOUT.key() + " ("
                    + get(Settings.READ_FRESHNESS_TIMEOUT).toMillis() + "), not '" + get(Settings.REPLICA_APPLY_PAUSE.key()) + "'");
        }
        for (String node : nodes()) {
            for (Settings.NodePort port : NODE_PORTS) {
                port(port, node);
            }
        }
        return this;
    }

    public String bootstrapServers() {
        return get(Settings.KAFKA_BOOTSTRAP_SERVERS);
    }

    public TopicNames topics() {
        return new TopicNames(get(Settings.TOPICS_LOCATIONS), get(Settings.TOPICS_PLACES), get(Settings.TOPICS_FENCES),
                get(Settings.TOPICS_EVENTS));
    }

    public List<String> nodes() {
        return split(get(Settings.HERD_NODES));
    }

    /** Whether {@code node} runs a member of the event derivation: one of the first {@code fences.derivation.members} nodes. */
    public boolean derivesEvents(String node) {
        List<String> all = nodes();
        return all.subList(0, Math.min(all.size(), get(Settings.FENCES_DERIVATION_MEMBERS))).stream()
                .anyMatch(n -> n.equalsIgnoreCase(node));
    }

    /** A comma-separated setting as a set of lower-case names (host names, origins). */
    public java.util.Set<String> lowerCaseNames(Setting<String> setting) {
        return split(get(setting)).stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** The node name as configured, matched without regard to case. */
    public String nodeName(String name) {
        return nodes().stream().filter(n -> n.equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown node " + name + "; the herd is " + nodes()));
    }

    public int tcpPort(String node) {
        return port(Settings.TCP_PORT, node);
    }

    public int httpPort(String node) {
        return port(Settings.HTTP_PORT, node);
    }

    public int adminPort(String node) {
        return port(Settings.ADMIN_PORT, node);
    }

    private int port(Settings.NodePort port, String node) {
        String key = port.key(node);
        return Setting.count(key, 0, 0, port.doc()).read(get(key));
    }

    public Path stateDir(String node) {
        return Path.of(get(Settings.STATE_DIR), node);
    }

    public Path logsDir() {
        return Path.of(get(Settings.LOGS_DIR));
    }

    /** Settings for every Kafka client: bootstrap servers plus all {@code kafka.client.*} keys. */
    public Map<String, Object> kafkaClientSettings() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", bootstrapServers());
        values.forEach((k, val) -> {
            if (k.startsWith(CLIENT_PREFIX)) {
                m.put(k.substring(CLIENT_PREFIX.length()), val);
            }
        });
        return m;
    }

    /** Keys whose values never appear in logs or in {@code herd config}. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.endsWith("api.key");
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    /** All keys and values (secrets in kafka.client.* are masked), for {@code herd config}. */
    public Map<String, String> describe() {
        Map<String, String> out = new java.util.TreeMap<>();
        values.forEach((k, val) -> out.put(k, isSecret(k) && !val.isEmpty() ? "******" : val));
        return out;
    }
}
