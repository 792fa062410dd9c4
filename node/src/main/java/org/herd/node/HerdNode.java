package org.herd.node;

import org.herd.node.ops.Operators;
import org.herd.node.ops.TopicSetup;

import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;
import org.herd.node.events.EventFeed;
import org.herd.node.events.FenceDerivation;
import org.herd.node.events.NewsFeed;
import org.herd.node.places.PlacesSources;
import org.herd.node.replica.EndOffsetsReader;
import org.herd.node.replica.Replica;
import org.herd.node.replica.ReplicaDirectories;
import org.herd.node.replica.ServingReplica;
import org.herd.node.service.HerdService;
import org.herd.node.service.NodeOperations;
import org.herd.node.service.Publisher;
import org.herd.node.telemetry.GroupCommitFileAppender;
import org.herd.node.telemetry.NodeLogging;
import org.herd.node.telemetry.NodeMetrics;
import org.herd.node.telemetry.TrafficLog;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.kafka.clients.admin.Admin;
import org.herd.node.http.AdminApi;
import org.herd.node.http.HttpServer;
import org.herd.node.http.PublicApi;
import org.herd.node.net.CommandSlots;
import org.herd.node.net.BodyBudget;
import org.herd.node.net.ConnectionGuard;
import org.herd.node.tcp.LineServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One herd node: a {@link Replica} of the herd's state (Kafka Streams global stores), a producer
 * for writes, and its servers: the line protocol and HTTP on the public ports, and the operators'
 * HTTP API on a loopback-only admin port. {@link #start} returns once the stores have caught up
 * with the topics and every port is open.
 */
public final class HerdNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HerdNode.class);
    private static final int ADMIN_CONNECTIONS = 64;

    private final String name;
    private final HerdConfig config;
    private final Admin admin;
    private final EndOffsetsReader endOffsets;
    private final Publisher publisher;
    private final ScheduledExecutorService workers;
    /** Reads and validates fences PUT over HTTP, one at a time, off the event loops; a bounded queue. */
    private final java.util.concurrent.ThreadPoolExecutor fenceValidation;
    /** Runs who-is-near queries, one at a time (HerdService bounds how many wait). */
    private final java.util.concurrent.ExecutorService nearQueries;
    private final HerdService service;
    private final NodeMetrics metrics;
    private final EventLoopGroup boss;
    private final EventLoopGroup ioWorkers;
    /** The admin port's own thread (and the connection sweeps'): operators see a node that its clients keep busy. */
    private final EventLoopGroup adminIo;
    private final GroupCommitFileAppender logFile;
    private ConnectionGuard guard;
    private ConnectionGuard adminGuard;
    private final Map<String, Object> streamsOverrides;

    private final ServingReplica serving;
    private volatile boolean ready;
    private HttpServer http;
    private HttpServer adminHttp;
    private LineServer line;
    private volatile FenceDerivation derivation;
    private final EventFeed events;
    private final NewsFeed news;
    private final Operators operators;
    /** What the admin port answers: status, digests, replays. */
    private final OperatorQueries operatorQueries;

    private HerdNode(HerdConfig config, String name, boolean ownProcess, Map<String, Object> streamsOverrides)
            throws IOException {
        this.name = name;
        this.config = config;
        this.streamsOverrides = streamsOverrides;
        ReplicaDirectories directories = new ReplicaDirectories(config.stateDir(name));
        Files.createDirectories(config.logsDir());
        this.logFile = NodeLogging.attach(name, config.logsDir(), ownProcess, new GroupCommitFileAppender.LogFileLimits(
                config.get(Settings.LOG_FILE_MAX_BYTES), config.get(Settings.LOG_TOTAL_MAX_BYTES),
                config.get(Settings.LOG_QUEUE_MAX_BYTES)));
        Map<String, Object> adminProps = new HashMap<>(config.kafkaClientSettings());
        adminProps.put("client.id", "herd-" + name + "-admin");
        this.admin = Admin.create(adminProps);
        this.endOffsets = new EndOffsetsReader(config.kafkaClientSettings(), "herd-" + name + "-offsets",
                List.of(config.topics().locations(), config.topics().places(), config.topics().fences()),
                config.get(Settings.READ_FRESHNESS_TIMEOUT));
        Duration writeTimeout = config.get(Settings.WRITE_TIMEOUT);
        this.publisher = new Publisher(config.kafkaClientSettings(), "herd-" + name + "-producer", writeTimeout);
        this.workers = Executors.newScheduledThreadPool(2, new DefaultThreadFactory("herd-" + name + "-work", true));
        this.fenceValidation = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(config.get(Settings.FENCES_VALIDATION_QUEUE_MAX)),
                new DefaultThreadFactory("herd-" + name + "-fences", true));
        this.nearQueries = Executors.newSingleThreadExecutor(new DefaultThreadFactory("herd-" + name + "-near", true));
        this.metrics = new NodeMetrics(name);
        metrics.counter("herd.log.dropped.lines", "Log lines dropped: the log could not keep up, or the disk refused them",
                logFile::droppedLines);
        metrics.gauge("herd.log.queue.bytes", "Log bytes waiting for the log's writer", logFile::queuedBytes);
        this.serving = new ServingReplica(name, directories, dir -> new Replica(config, name, dir, endOffsets, workers,
                streamsOverrides, metrics.staleReads()));
        this.events = new EventFeed(name, config.topics().events(), config.kafkaClientSettings(),
                config.get(Settings.EVENTS_SUBSCRIBERS_MAX), config.get(Settings.EVENTS_CATCHUP_MAX),
                config.get(Settings.CONNECTION_OUTPUT_STALL_TIMEOUT), config.get(Settings.EVENTS_SUBSCRIBERS_MAX_PER_ADDRESS),
                config.get(Settings.EVENTS_CATCHUP_MAX_PER_ADDRESS));
        this.news = new NewsFeed(name, config.topics().places(), config.kafkaClientSettings(),
                config.get(Settings.NEWS_SUBSCRIBERS_MAX), config.get(Settings.NEWS_CATCHUP_MAX),
                config.get(Settings.CONNECTION_OUTPUT_STALL_TIMEOUT), config.get(Settings.NEWS_SUBSCRIBERS_MAX_PER_ADDRESS),
                config.get(Settings.NEWS_CATCHUP_MAX_PER_ADDRESS), client -> replica().queries.location(client));
        this.operators = new Operators(config, System.out);
        this.operatorQueries = new OperatorQueries(name, config, serving, operators, this::ready, () -> derivation);
        this.service = new HerdService(name, config.topics(), publisher, this::replica,
                PlacesSources.fromConfig(config, name), workers, writeTimeout, metrics,
                config.get(Settings.WRITE_INFLIGHT_MAX), config.get(Settings.WRITE_UNAPPLIED_MAX), events, news, config.get(Settings.FENCES_MAX),
                config.get(Settings.FENCES_MAX_BYTES), nearQueries, config.get(Settings.CLIENTS_QUERY_QUEUE_MAX));
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("herd-" + name + "-accept"),
                NioIoHandler.newFactory());
        this.ioWorkers = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("herd-" + name + "-io"),
                NioIoHandler.newFactory());
        this.adminIo = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("herd-" + name + "-admin"),
                NioIoHandler.newFactory());
    }

    /**
     * Starts a node and waits until it serves. {@code ownProcess}: the node is alone in its JVM (it
     * then logs everything, not only its traffic, to its log file).
     */
    public static HerdNode start(HerdConfig config, String name, boolean ownProcess,
                                 Map<String, Object> streamsOverrides) throws Exception {
        HerdNode node = new HerdNode(config, config.nodeName(name), ownProcess, streamsOverrides);
        try {
            node.startServing();
            if (ownProcess) {
                NodeLogging.quietConsole(node.name);
            }
            return node;
        } catch (Exception e) {
            node.close();
            throw e;
        }
    }

    private void startServing() throws Exception {
        TrafficLog traffic = new TrafficLog(name, logFile);
        ConnectionGuard.GuardSettings limits = new ConnectionGuard.GuardSettings(config.get(Settings.CONNECTION_MAX_PER_ADDRESS),
                config.get(Settings.CONNECTION_OUTPUT_MAX_BYTES), config.get(Settings.NODE_OUTPUT_MAX_BYTES),
                config.get(Settings.CONNECTION_OUTPUT_STALL_TIMEOUT), config.get(Settings.CONNECTION_REQUEST_TIMEOUT));
        guard = new ConnectionGuard(limits, traffic, metrics, adminIo); // its sweeps run even when clients keep the I/O threads busy
        // the admin port is for operators on loopback: its own small budget, never counted against clients
        adminGuard = new ConnectionGuard(new ConnectionGuard.GuardSettings(ADMIN_CONNECTIONS, limits.connectionOutputMaxBytes(),
                limits.nodeOutputMaxBytes(), limits.stallTimeout(), limits.requestTimeout()), traffic,
                null, adminIo);
        PublicApi api = new PublicApi(service, Clock.systemUTC(), this::ready, metrics,
                config.lowerCaseNames(Settings.HTTP_ALLOWED_ORIGINS), fenceValidation);
        BodyBudget bodies = new BodyBudget(config.get(Settings.HTTP_BODIES_MAX_BYTES),
                config.get(Settings.HTTP_BODIES_MAX_BYTES_PER_ADDRESS));
        metrics.gauge("herd.http.unfinished.body.bytes", "Bytes of HTTP request bodies held before their requests "
                + "are complete (http.bodies.max.bytes)", bodies::held);
        http = HttpServer.start(config.get(Settings.HERD_BIND_HOST), config.httpPort(name), boss, ioWorkers,
                api::handle, traffic, config.get(Settings.CONNECTION_MAX),
                config.get(Settings.CONNECTION_IDLE_TIMEOUT), guard, config.get(Settings.EVENTS_HEARTBEAT),
                bodies);
        adminHttp = HttpServer.start(config.get(Settings.HERD_ADMIN_BIND_HOST), config.adminPort(name), adminIo, adminIo,
                new AdminApi(operatorQueries, metrics::scrape, api::handle, config.lowerCaseNames(Settings.HERD_ADMIN_HOSTS))::handle, traffic, ADMIN_CONNECTIONS,
                config.get(Settings.CONNECTION_IDLE_TIMEOUT), adminGuard, config.get(Settings.EVENTS_HEARTBEAT),
                new BodyBudget(ADMIN_CONNECTIONS * (long) HttpServer.MAX_BODY_BYTES, ADMIN_CONNECTIONS * (long) HttpServer.MAX_BODY_BYTES));
        TopicSetup.ensure(admin, config, Duration.ofMinutes(2));
        serving.start();
        serving.exposeMetrics(metrics, config.topics(), workers);
        if (config.derivesEvents(name)) {
            derivation = new FenceDerivation(config, name, config.stateDir(name).resolve("derivation"), streamsOverrides);
            derivation.start();
        }
        events.start();
        metrics.gauge("herd.event.subscribers", "Event subscribers (SSE and WATCH) on this node", events::subscribers);
        news.start();
        metrics.gauge("herd.news.subscribers", "News subscribers (SSE and WATCHNEWS) on this node", news::subscribers);
        line = LineServer.start(config.get(Settings.HERD_BIND_HOST), config.tcpPort(name), boss, ioWorkers, service, traffic,
                metrics, Clock.systemUTC(), new LineServer.LineServerSettings(config.get(Settings.CONNECTION_MAX_PIPELINED),
                        config.get(Settings.CONNECTION_MAX), config.get(Settings.CONNECTION_IDLE_TIMEOUT)), guard,
                new CommandSlots(config.get(Settings.NODE_COMMANDS_INFLIGHT_MAX)));
        ready = true;
        log.info("node {} serving: line protocol on {}:{}, HTTP on {}:{}, admin on {}:{}; {} places",
                name, config.get(Settings.HERD_BIND_HOST), line.port(), config.get(Settings.HERD_BIND_HOST), http.port(),
                config.get(Settings.HERD_ADMIN_BIND_HOST), adminHttp.port(), replica().queries.placeCount());
    }

    public String name() {
        return name;
    }

    /** The replica serving now (null before the node has one). */
    private Replica replica() {
        return serving.get();
    }

    /** Whether the node serves: its replica has caught up and is healthy. */
    public boolean ready() {
        Replica r = replica();
        return ready && r != null && r.healthy();
    }

    /** This node's status, as {@code GET /admin/status} answers it. */
    public NodeOperations.NodeStatus status() {
        return operatorQueries.status();
    }

    public int tcpPort() {
        return line.port();
    }

    public int httpPort() {
        return http.port();
    }

    public int adminPort() {
        return adminHttp.port();
    }

    /** Orderly shutdown: stop accepting, close connections, close Streams, then the clients. */
    @Override
    public void close() {
        ready = false;
        for (AutoCloseable server : new AutoCloseable[] {line, http, adminHttp}) {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    log.warn("closing a server: {}", e.toString());
                }
            }
        }
        for (ConnectionGuard g : new ConnectionGuard[] {guard, adminGuard}) {
            if (g != null) {
                g.close();
            }
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioWorkers.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        adminIo.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        events.close();
        news.close();
        if (derivation != null) {
            derivation.close();
        }
        serving.close();
        publisher.close();
        endOffsets.close();
        admin.close(Duration.ofSeconds(5));
        workers.shutdownNow();
        fenceValidation.shutdownNow();
        nearQueries.shutdownNow();
        NodeLogging.detach(name, logFile);
        log.info("node {} stopped", name);
    }
}
