package org.herd.node;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.herd.node.http.HttpServer;
import org.herd.node.tcp.LineServer;
import org.herd.stream.HerdQueries;
import org.herd.stream.HerdTopology;
import org.herd.stream.StoreState;
import org.herd.stream.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One herd node: a Kafka Streams instance holding full replicas of the location and place stores,
 * a producer for writes, and the line-protocol and HTTP servers. {@link #start} returns once the
 * stores have caught up with the topics and the line-protocol port is open.
 */
public final class HerdNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HerdNode.class);

    private final String name;
    private final HerdConfig config;
    private final TopicNames topics;
    private final StoreState state;
    private final Admin admin;
    private final Publisher publisher;
    private final KafkaStreams streams;
    private final HerdQueries queries;
    private final ExecutorService workers;
    private final FreshnessBarrier barrier;
    private final HerdService service;
    private final EventLoopGroup boss;
    private final EventLoopGroup ioWorkers;
    private final FileAppender<ILoggingEvent> logFile;
    private final CompletableFuture<Void> running = new CompletableFuture<>();
    private volatile boolean ready;
    private HttpServer http;
    private LineServer line;

    private HerdNode(HerdConfig config, String name, boolean ownProcess, Map<String, Object> streamsOverrides)
            throws IOException {
        this.name = name;
        this.config = config;
        this.topics = config.topics();
        Files.createDirectories(config.stateDir(name));
        Files.createDirectories(config.logsDir());
        this.logFile = NodeLogging.attach(name, config.logsDir(), ownProcess);
        Map<String, Object> clients = config.kafkaClientSettings();
        Map<String, Object> adminProps = new HashMap<>(clients);
        adminProps.put("client.id", "herd-" + name + "-admin");
        this.admin = Admin.create(adminProps);
        Duration writeTimeout = config.getMillis("write.timeout.ms");
        this.publisher = new Publisher(clients, "herd-" + name + "-producer", writeTimeout);
        this.state = StoreState.create(topics);
        Map<String, Object> streamsProps = new HashMap<>(clients);
        streamsProps.putAll(streamsOverrides);
        this.streams = new KafkaStreams(HerdTopology.build(topics, state), HerdTopology.streamsConfig(
                "herd-" + name.toLowerCase(Locale.ROOT), config.bootstrapServers(),
                config.stateDir(name).toAbsolutePath().toString(), streamsProps));
        this.streams.setUncaughtExceptionHandler(e -> {
            log.error("node {}: Kafka Streams failed; the node stops serving", name, e);
            ready = false;
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        this.streams.setStateListener((now, before) -> {
            log.info("node {}: streams {} -> {}", name, before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.complete(null);
            }
        });
        this.queries = new HerdQueries(streams, state.placesIndex());
        this.workers = Executors.newFixedThreadPool(2, new DefaultThreadFactory("herd-" + name + "-query", true));
        this.barrier = new FreshnessBarrier(admin, List.of(state.locationsApplied(), state.placesApplied()),
                config.getMillis("read.freshness.timeout.ms"), workers);
        this.service = new HerdService(name, topics.locations(), publisher, state.locationsApplied(), barrier,
                queries, workers, writeTimeout);
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("herd-" + name + "-accept"),
                NioIoHandler.newFactory());
        this.ioWorkers = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("herd-" + name + "-io"),
                NioIoHandler.newFactory());
    }

    /**
     * Starts a node and waits until it serves: topics exist, stores have caught up with the topics,
     * both ports are open. {@code ownProcess}: the node is alone in its JVM (it then logs
     * everything, not only its traffic, to its log file).
     */
    public static HerdNode start(HerdConfig config, String name, boolean ownProcess,
                                 Map<String, Object> streamsOverrides) throws Exception {
        HerdNode node = new HerdNode(config, config.nodeName(name), ownProcess, streamsOverrides);
        try {
            node.startServing();
            return node;
        } catch (Exception e) {
            node.close();
            throw e;
        }
    }

    private void startServing() throws Exception {
        http = HttpServer.start(config.bindHost(), config.httpPort(name), boss, ioWorkers, new HttpServer.NodeStatus() {
            @Override
            public boolean ready() {
                return ready && streams.state() == KafkaStreams.State.RUNNING;
            }

            @Override
            public Map<String, Object> describe() {
                return status();
            }
        });
        TopicSetup.ensure(admin, config, Duration.ofMinutes(2));
        streams.start();
        running.get();
        catchUp();
        line = LineServer.start(config.bindHost(), config.tcpPort(name), boss, ioWorkers, service,
                new TrafficLog(name), Clock.systemUTC(), config.getInt("connection.max.pipelined"));
        ready = true;
        log.info("node {} serving: line protocol on {}:{}, HTTP on {}:{}; {} clients, {} places",
                name, config.bindHost(), line.port(), config.bindHost(), http.port(),
                queries.clientCount(), queries.placeCount());
    }

    /** Waits until the stores have applied the topics up to their current ends, retrying lookups. */
    private void catchUp() throws InterruptedException, ExecutionException {
        while (true) {
            try {
                barrier.catchUp().get(60, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                log.warn("node {}: still catching up ({}); retrying", name, e.toString());
            }
        }
    }

    public String name() {
        return name;
    }

    public boolean ready() {
        return ready;
    }

    public int tcpPort() {
        return line.port();
    }

    public int httpPort() {
        return http.port();
    }

    public HerdQueries queries() {
        return queries;
    }

    public StoreState state() {
        return state;
    }

    /** Counts and applied offsets, for {@code GET /status} and the operators' tools. */
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", name);
        s.put("ready", ready);
        s.put("streams", streams.state().toString());
        if (ready) {
            s.put("clients", queries.clientCount());
        }
        s.put("places", queries.placeCount());
        s.put("applied", Map.of(topics.locations(), state.locationsApplied().positions(),
                topics.places(), state.placesApplied().positions()));
        return s;
    }

    /** Orderly shutdown: stop accepting, close connections, close Streams, then the clients. */
    @Override
    public void close() {
        ready = false;
        if (line != null) {
            line.close();
        }
        if (http != null) {
            http.close();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioWorkers.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        streams.close(Duration.ofSeconds(10));
        publisher.close();
        admin.close(Duration.ofSeconds(5));
        workers.shutdownNow();
        NodeLogging.detach(name, logFile);
        log.info("node {} stopped", name);
    }
}
