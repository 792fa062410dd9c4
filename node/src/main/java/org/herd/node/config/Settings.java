package org.herd.node.config;

import org.herd.stream.geo.ClientIndex;
import org.herd.stream.model.TopicNames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every key the herd reads, with its default and what it means, in one place. The file
 * {@code config/herd.properties} is {@link #template()} rendered (a test keeps the two equal;
 * {@code herd config --template} prints it), and {@link HerdConfig} reads values through these.
 */
public final class Settings {
    public static final List<String> DEFAULT_NODES = List.of("Alford", "Ball", "Hamilton", "Holiday", "Welsh");

    // --- Kafka
    public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS = Setting.text("kafka.bootstrap.servers",
            "127.0.0.1:19092", "The Kafka cluster (KAFKA_BOOTSTRAP_SERVERS also sets it and turns kafka.embedded off).");
    public static final Setting<Boolean> KAFKA_EMBEDDED = Setting.flag("kafka.embedded", true,
            "true: scripts/herd runs a single-node KRaft broker on the address above (data in run/kafka); "
                    + "`scripts/herd up --brokers 3` runs three on it and the next four ports (docs/scaling.md).");
    public static final Setting<Integer> KAFKA_EMBEDDED_CONTROLLER_PORT = Setting.count("kafka.embedded.controller.port",
            19093, 1, "The embedded broker's KRaft controller port.");

    // --- Topics
    public static final Setting<String> TOPICS_LOCATIONS = Setting.text("topics.locations",
            TopicNames.DEFAULT.locations(), "Location updates, keyed by client id (kept forever).");
    public static final Setting<String> TOPICS_PLACES = Setting.text("topics.places",
            TopicNames.DEFAULT.places(), "Places and news items, keyed by place id (compacted).");
    public static final Setting<String> TOPICS_SEEDS = Setting.text("topics.seeds", "herd.seeds",
            "The data sets loaded into the places topic, one record per complete load (compacted).");
    public static final Setting<String> TOPICS_FENCES = Setting.text("topics.fences",
            TopicNames.DEFAULT.fences(), "Geofences, keyed by fence id (compacted).");
    public static final Setting<String> TOPICS_EVENTS = Setting.text("topics.events",
            TopicNames.DEFAULT.events(), "Fence events, keyed by client id, derived exactly once from the locations.");
    public static final Setting<Duration> TOPICS_EVENTS_RETENTION = Setting.millis("topics.events.retention.ms", 604_800_000L,
            "How long the events topic keeps events (how far back a subscriber can resume): 7 days.");
    public static final Setting<Integer> TOPICS_PARTITIONS = Setting.count("topics.partitions", 3, 1,
            "Partitions of the locations, places, fences and events topics the herd creates.");
    public static final Setting<Integer> TOPICS_REPLICATION_FACTOR = Setting.count("topics.replication.factor", 1, 1,
            "Replication factor of the topics the herd creates.");
    public static final Setting<Integer> TOPICS_MIN_INSYNC_REPLICAS = Setting.count("topics.min.insync.replicas", 1, 1,
            "min.insync.replicas of the topics the herd creates.");

    // --- Fences and events (docs/fences.md)
    public static final Setting<String> FENCES_APPLICATION_ID = Setting.text("fences.application.id", "herd-fences",
            "The Kafka Streams application id the nodes share to derive fence events (one per herd on a cluster).");
    public static final Setting<Integer> FENCES_DERIVATION_MEMBERS = Setting.count("fences.derivation.members", 2, 1,
            "How many nodes run a member of the event derivation: the first ones of herd.nodes (more than the herd: "
                    + "every node). Two keep events flowing when one dies; each member costs CPU and broker requests "
                    + "(docs/fences.md, \"Who derives\").");
    public static final Setting<Duration> FENCES_DERIVATION_IDLE_DRAIN = Setting.millisOrZero("fences.derivation.idle.drain.ms", 5000,
            "While the herd holds no fence, the derivation reads the locations topic only this often (to keep clients' "
                    + "previous positions), so that writes pay nothing for it; the first fence defined waits for at most "
                    + "this much backlog. 0: read always.");
    public static final Setting<Duration> FENCES_DERIVATION_PAUSE = Setting.millisUpTo("fences.derivation.pause.ms", 5, 1000,
            "With fences, after judging a few updates (not a full batch) a derivation member waits this long before it "
                    + "fetches again, so that a trickle of writes wakes it at most this often instead of once per write; a "
                    + "fence event may come this much later (docs/fences.md). 0: never waits.");
    public static final Setting<Integer> FENCES_MAX = Setting.count("fences.max", 200_000, 1,
            "Fences a herd holds; a PUT of a new fence beyond it gets 409 (replacing one still works).");
    public static final Setting<Integer> FENCES_VALIDATION_QUEUE_MAX = Setting.count("fences.validation.queue.max", 16, 1,
            "Fence PUTs waiting to be read and validated (one at a time, off the event loops); past it a PUT gets 503 with Retry-After.");
    public static final Setting<Long> FENCES_MAX_BYTES = Setting.bytes("fences.max.bytes", 128L * 1024 * 1024,
            "Estimated heap of the fences a node's index holds (a derivation member holds a second index); a PUT that "
                    + "would take the herd past it gets 409. A polygon of 10,000 positions is about 2 MB, a circle about 700 bytes.");
    public static final Setting<Integer> CLIENTS_INDEX_MAX = Setting.count("clients.index.max", ClientIndex.ClientIndexLimits.DEFAULT.maxClients(), 1,
            "Clients a node's index for who-is-near queries holds (about 210 bytes of heap each; twice during a replay); "
                    + "clients first seen beyond it are left out of those answers, which then say \"complete\": false.");
    public static final Setting<Long> CLIENTS_INDEX_MAX_BYTES = Setting.bytes("clients.index.max.bytes", ClientIndex.ClientIndexLimits.DEFAULT.maxBytes(),
            "Estimated heap of a node's index for who-is-near queries (about 180 bytes a client plus its id: 210 for short "
                    + "ids, 1,250 for the longest); clients first seen beyond it are left out as past clients.index.max.");
    public static final Setting<Integer> CLIENTS_QUERY_QUEUE_MAX = Setting.count("clients.query.queue.max", 16, 1,
            "Who-is-near queries a node runs (one at a time, on a thread of their own) or holds waiting; past it a query gets 503 with Retry-After.");
    public static final Setting<Integer> CLIENTS_QUERY_SCAN_MAX = Setting.count("clients.query.scan.max", ClientIndex.ClientIndexLimits.DEFAULT.scanMax(), 1,
            "Clients one who-is-near query examines at most, nearest cells first; an answer cut there says \"complete\": false.");
    public static final Setting<Integer> EVENTS_SUBSCRIBERS_MAX = Setting.count("events.subscribers.max", 256, 1,
            "Event subscribers (SSE streams and WATCH connections) a node takes at once; more get 503 / ERROR busy.");
    public static final Setting<Integer> EVENTS_CATCHUP_MAX = Setting.count("events.catchup.max", 8, 1,
            "Subscribers a node replays past events for at once (resuming with an event id, or from the oldest).");
    public static final Setting<Integer> EVENTS_SUBSCRIBERS_MAX_PER_ADDRESS = Setting.count("events.subscribers.max.per.address", 32, 1,
            "Event subscribers one client address may have on a node; more get 503 / ERROR busy.");
    public static final Setting<Integer> EVENTS_CATCHUP_MAX_PER_ADDRESS = Setting.count("events.catchup.max.per.address", 2, 1,
            "Subscribers of one client address a node replays past events for at once.");
    public static final Setting<Integer> NEWS_SUBSCRIBERS_MAX_PER_ADDRESS = Setting.count("news.subscribers.max.per.address", 32, 1,
            "News subscribers one client address may have on a node; more get 503 / ERROR busy.");
    public static final Setting<Integer> NEWS_CATCHUP_MAX_PER_ADDRESS = Setting.count("news.catchup.max.per.address", 2, 1,
            "Subscribers of one client address a node replays past news for at once.");
    public static final Setting<Duration> EVENTS_HEARTBEAT = Setting.millis("events.heartbeat.ms", 15_000,
            "A comment line sent on idle event streams this often, so that proxies keep them open.");
    public static final Setting<Integer> NEWS_SUBSCRIBERS_MAX = Setting.count("news.subscribers.max", 256, 1,
            "News subscribers (SSE streams and WATCHNEWS connections) a node takes at once; more get 503 / ERROR busy.");
    public static final Setting<Integer> NEWS_CATCHUP_MAX = Setting.count("news.catchup.max", 8, 1,
            "News subscribers a node replays past places for at once (resuming with a news id, or from the oldest).");

    // --- Nodes
    public static final Setting<String> HERD_NODES = Setting.text("herd.nodes", String.join(",", DEFAULT_NODES),
            "The nodes of the herd, by name.");
    public static final Setting<String> HERD_BIND_HOST = Setting.text("herd.bind.host", "127.0.0.1",
            "The address the public ports (line protocol, HTTP) listen on.");
    public static final Setting<String> HERD_ADMIN_HOSTS = Setting.text("herd.admin.hosts", "",
            "Names besides localhost, 127.0.0.1 and [::1] that requests to the operators' port may carry as Host, comma-separated; "
                    + "others get 403 (a web page an operator visits cannot read the port by pointing its name at it).");
    public static final Setting<String> HTTP_ALLOWED_ORIGINS = Setting.text("http.allowed.origins", "",
            "Web origins (scheme://host:port) besides a node's own whose pages may write over HTTP, comma-separated; a write "
                    + "with another Origin header gets 403. Clients that are not browsers send none.");
    public static final Setting<String> HERD_ADMIN_BIND_HOST = Setting.text("herd.admin.bind.host", "127.0.0.1",
            "The address of the operators' port (status, digest, replay): loopback only by default.");

    // --- Behaviour
    public static final Setting<Duration> WRITE_TIMEOUT = Setting.millis("write.timeout.ms", 5000,
            "An IAMAT not durable and visible within this time gets \"ERROR unavailable ...\" instead of AT.");
    public static final Setting<Duration> READ_FRESHNESS_TIMEOUT = Setting.millis("read.freshness.timeout.ms", 1000,
            "A read waits at most this long to catch up with the topics, then answers from local state.");
    public static final Setting<Duration> REPLICA_APPLY_PAUSE = Setting.millisOrZero("replica.apply.pause.ms", 5,
            "After applying a few updates (not a full batch), a replica waits this long before it fetches again, so that "
                    + "a trickle of writes wakes each node's replica at most this often instead of once per write; a read "
                    + "at another node may wait this much longer for a write (docs/performance.md). 0: never waits; at most half of "
                    + "read.freshness.timeout.ms.");
    public static final Setting<Integer> CONNECTION_MAX_PIPELINED = Setting.count("connection.max.pipelined", 32, 1,
            "Commands in flight on one line-protocol connection before the node stops reading from it.");
    public static final Setting<Integer> NODE_COMMANDS_INFLIGHT_MAX = Setting.count("node.commands.inflight.max", 1024, 1,
            "WHATSATs in progress on the node, all connections together; past it, connections take turns "
                    + "(one command each, in the order they started waiting), so a flood cannot starve a newcomer.");
    public static final Setting<Integer> WRITE_INFLIGHT_MAX = Setting.count("write.inflight.max", 10000, 1,
            "Writes (IAMATs, places) published and not yet acknowledged, per node; past it a write "
                    + "gets \"ERROR busy <command>\" (line protocol) or 503 with Retry-After (HTTP) at once.");
    public static final Setting<Integer> WRITE_UNAPPLIED_MAX = Setting.count("write.unapplied.max", 256, 0,
            "IAMATs a node keeps after acknowledging them until its own replica has applied them, so that "
                    + "an IAMAT is answered once durable; past it an IAMAT also waits for its apply: the back-pressure that keeps "
                    + "replicas within reach of read.freshness.timeout.ms while writers pipeline faster than they apply.");

    // --- Connections
    public static final Setting<Integer> CONNECTION_MAX = Setting.count("connection.max", 10000, 1,
            "Open connections per protocol (line, HTTP).");
    public static final Setting<Integer> CONNECTION_MAX_PER_ADDRESS = Setting.count("connection.max.per.address", 1000, 1,
            "Open connections from one client address, line and HTTP together.");
    public static final Setting<Duration> CONNECTION_IDLE_TIMEOUT = Setting.millis("connection.idle.timeout.ms", 300000,
            "A connection with nothing pending and no traffic for this long is closed.");
    public static final Setting<Duration> CONNECTION_REQUEST_TIMEOUT = Setting.millis("connection.request.timeout.ms", 10000,
            "A line or HTTP request not finished this long after its first byte: timeout answer, closed.");
    public static final Setting<Long> HTTP_BODIES_MAX_BYTES = Setting.bytes("http.bodies.max.bytes", 64L * 1024 * 1024,
            "Bytes of HTTP request bodies a node holds before their requests are complete, all connections together; "
                    + "a connection whose next piece does not fit gets 503 and is closed.");
    public static final Setting<Long> HTTP_BODIES_MAX_BYTES_PER_ADDRESS = Setting.bytes("http.bodies.max.bytes.per.address",
            16L * 1024 * 1024, "As http.bodies.max.bytes, for the connections of one client address together.");
    public static final Setting<Long> CONNECTION_OUTPUT_MAX_BYTES = Setting.bytes("connection.output.max.bytes", 1048576,
            "Reply bytes pending on one connection before the node stops starting its commands.");
    public static final Setting<Long> NODE_OUTPUT_MAX_BYTES = Setting.bytes("node.output.max.bytes", 67108864,
            "Reply bytes pending on the whole node; past it the connection holding the most is closed.");
    public static final Setting<Duration> CONNECTION_OUTPUT_STALL_TIMEOUT = Setting.millis(
            "connection.output.stall.timeout.ms", 30000,
            "A connection whose client takes no reply bytes for this long is closed.");
    public static final Setting<Integer> STORE_BLOCK_CACHE_MB = Setting.count("store.block.cache.mb", 256, 1,
            "RocksDB block cache shared by a node's stores, MiB (off-heap). WHATSAT reads random clients: a "
                    + "cache that holds most of the location store keeps those reads off the file system.");

    // --- Files
    public static final Setting<String> STATE_DIR = Setting.text("state.dir", "run/state",
            "Each node's replicas of the herd's state, in <state.dir>/<node>.");
    public static final Setting<String> LOGS_DIR = Setting.text("logs.dir", "logs",
            "Each node's log, <logs.dir>/<node>.log.");
    public static final Setting<Long> LOG_FILE_MAX_BYTES = Setting.bytes("log.file.max.bytes", 16777216,
            "Each node's log rolls at this size (rolled files are gzipped).");
    public static final Setting<Long> LOG_TOTAL_MAX_BYTES = Setting.bytes("log.total.max.bytes", 134217728,
            "The oldest rolled files are deleted while a node's log files together pass this size.");
    public static final Setting<Long> LOG_QUEUE_MAX_BYTES = Setting.bytes("log.queue.max.bytes", 8388608,
            "Log bytes queued for the log's writer; past half of it clients are slowed, past all of it "
                    + "lines are dropped and counted (herd_log_dropped_lines_total).");
    public static final Setting<String> PLACES_DATASET = Setting.text("places.dataset",
            "data/places/geonames-cities.tsv.gz", "The bundled places that `herd setup` loads into the places topic, once.");

    // --- Google Places
    public static final Setting<String> PLACES_GOOGLE_API_KEY = Setting.text("places.google.api.key", "",
            "A Google Places API key; empty: answer from the bundled places. Set it in the environment "
                    + "(HERD_PLACES_GOOGLE_API_KEY), not in this file.");
    public static final Setting<String> PLACES_GOOGLE_URL = Setting.text("places.google.url",
            "https://maps.googleapis.com/maps/api/place/nearbysearch/json", "Google's Nearby Search endpoint.");
    public static final Setting<Duration> PLACES_GOOGLE_TIMEOUT = Setting.millis("places.google.timeout.ms", 3000,
            "How long a Google Places request may take.");
    public static final Setting<String> PLACES_GOOGLE_FALLBACK = Setting.oneOf("places.google.fallback", "local",
            List.of("local", "error"), "When Google fails: \"local\" answers from the bundled index, "
                    + "\"error\" answers UNKNOWN_ERROR.");

    /** A node's three ports, {@code node.<name>.<kind>.port}; defaults count up from {@code firstDefault}. */
    public record NodePort(String kind, int firstDefault, String doc) {
        public String key(String node) {
            return "node." + node + "." + kind + ".port";
        }
    }

    public static final NodePort TCP_PORT = new NodePort("tcp", 12001, "Each node's line-protocol port.");
    public static final NodePort HTTP_PORT = new NodePort("http", 18001, "Each node's HTTP port.");
    public static final NodePort ADMIN_PORT = new NodePort("admin", 17001,
            "Each node's operators' port (on herd.admin.bind.host).");

    /** A part of the file: a title, its settings and node ports, and notes printed as comments after them. */
    record Section(String title, List<Object> entries, List<String> notes) {
    }

    static final List<Section> SECTIONS = List.of(
            new Section("Kafka", List.of(KAFKA_BOOTSTRAP_SERVERS, KAFKA_EMBEDDED, KAFKA_EMBEDDED_CONTROLLER_PORT),
                    List.of("Settings passed to every Kafka client, without the \"kafka.client.\" prefix, e.g. for TLS/SASL:",
                            "kafka.client.security.protocol=SASL_SSL",
                            "kafka.client.sasl.mechanism=SCRAM-SHA-512")),
            new Section("Topics (created at start if missing; existing topics are left as they are)",
                    List.of(TOPICS_LOCATIONS, TOPICS_PLACES, TOPICS_SEEDS, TOPICS_FENCES, TOPICS_EVENTS,
                            TOPICS_EVENTS_RETENTION, TOPICS_PARTITIONS,
                            TOPICS_REPLICATION_FACTOR, TOPICS_MIN_INSYNC_REPLICAS), List.of()),
            new Section("Who is near, fences, events and news (docs/http.md, docs/fences.md)", List.of(CLIENTS_INDEX_MAX, CLIENTS_INDEX_MAX_BYTES, CLIENTS_QUERY_QUEUE_MAX, CLIENTS_QUERY_SCAN_MAX,
                    FENCES_APPLICATION_ID, FENCES_DERIVATION_MEMBERS, FENCES_DERIVATION_IDLE_DRAIN, FENCES_DERIVATION_PAUSE, FENCES_MAX, FENCES_MAX_BYTES, FENCES_VALIDATION_QUEUE_MAX, EVENTS_SUBSCRIBERS_MAX, EVENTS_SUBSCRIBERS_MAX_PER_ADDRESS, EVENTS_CATCHUP_MAX, EVENTS_CATCHUP_MAX_PER_ADDRESS, EVENTS_HEARTBEAT, NEWS_SUBSCRIBERS_MAX, NEWS_SUBSCRIBERS_MAX_PER_ADDRESS, NEWS_CATCHUP_MAX, NEWS_CATCHUP_MAX_PER_ADDRESS),
                    List.of()),
            new Section("Nodes", List.of(HERD_NODES, HERD_BIND_HOST, TCP_PORT, HTTP_PORT, HERD_ADMIN_BIND_HOST, HERD_ADMIN_HOSTS, HTTP_ALLOWED_ORIGINS,
                    ADMIN_PORT), List.of()),
            new Section("Behaviour", List.of(WRITE_TIMEOUT, READ_FRESHNESS_TIMEOUT, REPLICA_APPLY_PAUSE, CONNECTION_MAX_PIPELINED,
                    NODE_COMMANDS_INFLIGHT_MAX, WRITE_INFLIGHT_MAX, WRITE_UNAPPLIED_MAX), List.of()),
            new Section("Connections (docs/reliability.md lists every limit and what a client sees)",
                    List.of(CONNECTION_MAX, CONNECTION_MAX_PER_ADDRESS, CONNECTION_IDLE_TIMEOUT,
                            CONNECTION_REQUEST_TIMEOUT, CONNECTION_OUTPUT_MAX_BYTES, HTTP_BODIES_MAX_BYTES, HTTP_BODIES_MAX_BYTES_PER_ADDRESS, NODE_OUTPUT_MAX_BYTES,
                            CONNECTION_OUTPUT_STALL_TIMEOUT, STORE_BLOCK_CACHE_MB), List.of()),
            new Section("Files", List.of(STATE_DIR, LOGS_DIR, LOG_FILE_MAX_BYTES, LOG_TOTAL_MAX_BYTES,
                    LOG_QUEUE_MAX_BYTES, PLACES_DATASET), List.of()),
            new Section("Optional: Google Places instead of the bundled places (docs/http.md)",
                    List.of(PLACES_GOOGLE_API_KEY, PLACES_GOOGLE_URL, PLACES_GOOGLE_TIMEOUT, PLACES_GOOGLE_FALLBACK),
                    List.of()));

    private static final String HEADER = """
            # The herd's configuration. Every key can be overridden by an environment variable:
            # HERD_ + the key in upper case with dots as underscores (kafka.bootstrap.servers ->
            # HERD_KAFKA_BOOTSTRAP_SERVERS). KAFKA_BOOTSTRAP_SERVERS also sets the bootstrap servers and
            # means "use that cluster": scripts/herd then starts no broker of its own.
            # This file is rendered from node/src/main/java/org/herd/node/config/Settings.java, where each
            # key, its default and its doc live (`herd config --template` prints it; a test keeps them equal).
            """;
    private static final int WIDTH = 100;

    private Settings() {
    }

    /** Every setting, in the order of the file. */
    public static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>();
        for (Section s : SECTIONS) {
            for (Object e : s.entries()) {
                if (e instanceof Setting<?> setting) {
                    all.add(setting);
                }
            }
        }
        return all;
    }

    /** Every key with its default, node ports of the default nodes included. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        for (Section s : SECTIONS) {
            for (Object e : s.entries()) {
                if (e instanceof Setting<?> setting) {
                    d.put(setting.key(), setting.defaultValue());
                } else if (e instanceof NodePort port) {
                    for (int i = 0; i < DEFAULT_NODES.size(); i++) {
                        d.put(port.key(DEFAULT_NODES.get(i)), String.valueOf(port.firstDefault() + i));
                    }
                }
            }
        }
        return d;
    }

    /** The documented configuration file with every default: what {@code config/herd.properties} holds. */
    public static String template() {
        StringBuilder out = new StringBuilder(HEADER);
        for (Section s : SECTIONS) {
            String title = "# --- " + s.title() + " ";
            out.append('\n').append(title).append("-".repeat(Math.max(3, WIDTH - title.length()))).append('\n');
            for (Object e : s.entries()) {
                if (e instanceof Setting<?> setting) {
                    comment(out, setting.doc());
                    out.append(setting.key()).append('=').append(setting.defaultValue()).append('\n');
                } else if (e instanceof NodePort port) {
                    comment(out, port.doc());
                    for (int i = 0; i < DEFAULT_NODES.size(); i++) {
                        out.append(port.key(DEFAULT_NODES.get(i))).append('=').append(port.firstDefault() + i).append('\n');
                    }
                }
            }
            s.notes().forEach(n -> out.append("# ").append(n).append('\n'));
        }
        return out.toString();
    }

    private static void comment(StringBuilder out, String doc) {
        StringBuilder line = new StringBuilder("#");
        for (String word : doc.split(" ")) {
            if (line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        out.append(line).append('\n');
    }
}
