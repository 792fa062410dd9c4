package org.herd.node.config;

import org.herd.stream.TopicNames;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
    public static final List<String> DEFAULT_NODES = List.of("Alford", "Ball", "Hamilton", "Holiday", "Welsh");
    public static final Path DEFAULT_FILE = Path.of("config", "herd.properties");
    private static final String CLIENT_PREFIX = "kafka.client.";
    private static final String CLIENT_ENV_PREFIX = "HERD_KAFKA_CLIENT_";

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

    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kafka.bootstrap.servers", "127.0.0.1:19092");
        d.put("kafka.embedded", "true");
        d.put("kafka.embedded.controller.port", "19093");
        d.put("topics.locations", TopicNames.DEFAULT.locations());
        d.put("topics.places", TopicNames.DEFAULT.places());
        d.put("topics.partitions", "3");
        d.put("topics.replication.factor", "1");
        d.put("topics.min.insync.replicas", "1");
        d.put("herd.nodes", String.join(",", DEFAULT_NODES));
        d.put("herd.bind.host", "127.0.0.1");
        d.put("herd.admin.bind.host", "127.0.0.1");
        for (int i = 0; i < DEFAULT_NODES.size(); i++) {
            d.put("node." + DEFAULT_NODES.get(i) + ".tcp.port", String.valueOf(12001 + i));
            d.put("node." + DEFAULT_NODES.get(i) + ".http.port", String.valueOf(18001 + i));
            d.put("node." + DEFAULT_NODES.get(i) + ".admin.port", String.valueOf(17001 + i));
        }
        d.put("write.timeout.ms", "5000");
        d.put("read.freshness.timeout.ms", "1000");
        d.put("connection.max.pipelined", "32");
        d.put("write.inflight.max", "10000");
        d.put("node.commands.inflight.max", "1024");
        d.put("connection.max.per.address", "1000");
        d.put("connection.output.max.bytes", "1048576");
        d.put("node.output.max.bytes", "67108864");
        d.put("connection.output.stall.timeout.ms", "30000");
        d.put("connection.request.timeout.ms", "10000");
        d.put("log.file.max.bytes", "16777216");
        d.put("log.total.max.bytes", "134217728");
        d.put("log.queue.max.bytes", "8388608");
        d.put("store.block.cache.mb", "256");
        d.put("connection.max", "10000");
        d.put("connection.idle.timeout.ms", "300000");
        d.put("state.dir", "run/state");
        d.put("logs.dir", "logs");
        d.put("places.dataset", "data/places/geonames-cities.tsv.gz");
        d.put("places.google.api.key", "");
        d.put("places.google.url", "https://maps.googleapis.com/maps/api/place/nearbysearch/json");
        d.put("places.google.timeout.ms", "3000");
        d.put("places.google.fallback", "local");
        return d;
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
        return new HerdConfig(v).withEnvironment(env);
    }

    /** A config from defaults plus {@code overrides} (for tests and embedding). */
    public static HerdConfig of(Map<String, String> overrides) {
        Map<String, String> v = new HashMap<>(defaults());
        v.putAll(overrides);
        return new HerdConfig(v);
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
        for (String node : split(v.get("herd.nodes"))) {
            for (String proto : List.of("tcp", "http", "admin")) {
                String name = "HERD_NODE_" + node.toUpperCase(Locale.ROOT) + "_" + proto.toUpperCase(Locale.ROOT) + "_PORT";
                if (env.containsKey(name)) {
                    v.put("node." + node + "." + proto + ".port", env.get(name).trim());
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
            v.put("kafka.bootstrap.servers", env.get("KAFKA_BOOTSTRAP_SERVERS").trim());
            v.put("kafka.embedded", "false");
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

    public int getInt(String key) {
        try {
            return Integer.parseInt(get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key " + key + " is not a whole number: " + get(key));
        }
    }

    public long getBytes(String key) {
        try {
            long v = Long.parseLong(get(key));
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key " + key + " is not a positive number of bytes: " + get(key));
        }
    }

    public Duration getMillis(String key) {
        return Duration.ofMillis(getInt(key));
    }

    public String bootstrapServers() {
        return get("kafka.bootstrap.servers");
    }

    public TopicNames topics() {
        return new TopicNames(get("topics.locations"), get("topics.places"));
    }

    public List<String> nodes() {
        return split(get("herd.nodes"));
    }

    /** The node name as configured, matched without regard to case. */
    public String nodeName(String name) {
        return nodes().stream().filter(n -> n.equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown node " + name + "; the herd is " + nodes()));
    }

    public int tcpPort(String node) {
        return getInt("node." + node + ".tcp.port");
    }

    public int httpPort(String node) {
        return getInt("node." + node + ".http.port");
    }

    public int adminPort(String node) {
        return getInt("node." + node + ".admin.port");
    }

    public String bindHost() {
        return get("herd.bind.host");
    }

    public Path stateDir(String node) {
        return Path.of(get("state.dir"), node);
    }

    public Path logsDir() {
        return Path.of(get("logs.dir"));
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

    // --- typed settings: every key the node reads, in one place (config/herd.properties documents them) ---

    /** The address of the operators' port (loopback by default) ({@code herd.admin.bind.host}). */
    public String adminBindHost() {
        return get("herd.admin.bind.host");
    }

    /** The bundled places data set to load into the places topic ({@code places.dataset}). */
    public String placesDataset() {
        return get("places.dataset");
    }

    /** A Google Places API key; empty: answer from the bundled places ({@code places.google.api.key}). */
    public String placesGoogleApiKey() {
        return get("places.google.api.key");
    }

    /** When Google fails: "local" (the bundled index) or "error" ({@code places.google.fallback}). */
    public String placesGoogleFallback() {
        return get("places.google.fallback");
    }

    /** Google's Nearby Search endpoint ({@code places.google.url}). */
    public String placesGoogleUrl() {
        return get("places.google.url");
    }

    /** min.insync.replicas of the topics the herd creates ({@code topics.min.insync.replicas}). */
    public String topicsMinInsyncReplicas() {
        return get("topics.min.insync.replicas");
    }

    /** Reply bytes pending on one connection before the node starts no more of its commands ({@code connection.output.max.bytes}). */
    public long connectionOutputMaxBytes() {
        return getBytes("connection.output.max.bytes");
    }

    /** Size at which a node's log file rolls ({@code log.file.max.bytes}). */
    public long logFileMaxBytes() {
        return getBytes("log.file.max.bytes");
    }

    /** Log bytes queued for the writer; past half, clients are slowed; past all, lines are dropped ({@code log.queue.max.bytes}). */
    public long logQueueMaxBytes() {
        return getBytes("log.queue.max.bytes");
    }

    /** All of a node's log files together ({@code log.total.max.bytes}). */
    public long logTotalMaxBytes() {
        return getBytes("log.total.max.bytes");
    }

    /** Reply bytes pending on the whole node; past it, the connection holding the most is closed ({@code node.output.max.bytes}). */
    public long nodeOutputMaxBytes() {
        return getBytes("node.output.max.bytes");
    }

    /** Open connections per protocol ({@code connection.max}). */
    public int connectionMax() {
        return getInt("connection.max");
    }

    /** Open connections from one client address, line and HTTP together ({@code connection.max.per.address}). */
    public int connectionMaxPerAddress() {
        return getInt("connection.max.per.address");
    }

    /** Commands in flight on one line-protocol connection ({@code connection.max.pipelined}). */
    public int connectionMaxPipelined() {
        return getInt("connection.max.pipelined");
    }

    /** WHATSATs in progress on the node, handed out in turns ({@code node.commands.inflight.max}). */
    public int nodeCommandsInflightMax() {
        return getInt("node.commands.inflight.max");
    }

    /** RocksDB block cache shared by a node's stores, MiB ({@code store.block.cache.mb}). */
    public int storeBlockCacheMb() {
        return getInt("store.block.cache.mb");
    }

    /** Partitions of the topics the herd creates ({@code topics.partitions}). */
    public int topicsPartitions() {
        return getInt("topics.partitions");
    }

    /** Replication factor of the topics the herd creates ({@code topics.replication.factor}). */
    public int topicsReplicationFactor() {
        return getInt("topics.replication.factor");
    }

    /** Writes published and not yet durable and applied, per node ({@code write.inflight.max}). */
    public int writeInflightMax() {
        return getInt("write.inflight.max");
    }

    /** A connection with nothing pending and no traffic for this long is closed ({@code connection.idle.timeout.ms}). */
    public Duration connectionIdleTimeout() {
        return getMillis("connection.idle.timeout.ms");
    }

    /** A connection whose client takes no reply bytes for this long is closed ({@code connection.output.stall.timeout.ms}). */
    public Duration connectionOutputStallTimeout() {
        return getMillis("connection.output.stall.timeout.ms");
    }

    /** A line or HTTP request not finished this long after its first byte is answered with a timeout ({@code connection.request.timeout.ms}). */
    public Duration connectionRequestTimeout() {
        return getMillis("connection.request.timeout.ms");
    }

    /** How long a Google Places request may take ({@code places.google.timeout.ms}). */
    public Duration placesGoogleTimeout() {
        return getMillis("places.google.timeout.ms");
    }

    /** How long a read waits to catch up before answering from local state ({@code read.freshness.timeout.ms}). */
    public Duration readFreshnessTimeout() {
        return getMillis("read.freshness.timeout.ms");
    }

    /** How long a write may take to become durable and applied before it is refused ({@code write.timeout.ms}). */
    public Duration writeTimeout() {
        return getMillis("write.timeout.ms");
    }
}
