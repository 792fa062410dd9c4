package org.herd.node;

import org.apache.kafka.clients.admin.Admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Three real KRaft brokers, each a process of its own and each broker and controller of one
 * quorum (static voters), as {@code scripts/herd up --brokers 3} runs them: Kafka's internal
 * topics with replication 3 and min ISR 2. A test can kill -9 any of them and start it again on
 * the same ports and data.
 */
final class BrokerCluster implements AutoCloseable {
    private final Path dir;
    private final int[] ports = new int[3];
    private final int[] controllers = new int[3];
    private final Process[] processes = new Process[3];

    BrokerCluster(Path dir) throws Exception {
        this.dir = dir;
        for (int i = 0; i < 3; i++) {
            ports[i] = ChildJvm.freePort();
            controllers[i] = ChildJvm.freePort();
        }
        String voters = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllers[i]).collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
            Path d = brokerDir(i + 1);
            Files.createDirectories(d.resolve("data"));
            Files.writeString(d.resolve("server.properties"), String.join("\n",
                    "process.roles=broker,controller", "node.id=" + (i + 1),
                    "controller.quorum.voters=" + voters,
                    "listeners=PLAINTEXT://127.0.0.1:" + ports[i] + ",CONTROLLER://127.0.0.1:" + controllers[i],
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + ports[i],
                    "controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + d.resolve("data"), "num.partitions=3", "auto.create.topics.enable=false",
                    "default.replication.factor=3", "min.insync.replicas=2",
                    "offsets.topic.replication.factor=3", "transaction.state.log.replication.factor=3",
                    "transaction.state.log.min.isr=2", "share.coordinator.state.topic.replication.factor=3",
                    "share.coordinator.state.topic.min.isr=2", "group.initial.rebalance.delay.ms=0",
                    "broker.session.timeout.ms=4000", "broker.heartbeat.interval.ms=1000",
                    "log.cleaner.dedupe.buffer.size=16777216", "num.network.threads=1", "num.io.threads=2", ""));
            Process format = ChildJvm.start("kafka.tools.StorageTool",
                    List.of("format", "-t", "herd-test-cluster-03", "-c", d.resolve("server.properties").toString()),
                    Map.of(), d.resolve("format.log"));
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IllegalStateException("formatting broker" + (i + 1) + " failed: " + Files.readString(d.resolve("format.log")));
            }
        }
    }

    private Path brokerDir(int id) {
        return dir.resolve("broker" + id);
    }

    String bootstrapServers() {
        return java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** Starts the brokers given (1 to 3; none: all), then waits until that many and the others alive answer. */
    BrokerCluster start(int... ids) throws Exception {
        List<Integer> which = new ArrayList<>();
        if (ids.length == 0) {
            which.addAll(List.of(1, 2, 3));
        } else {
            for (int id : ids) {
                which.add(id);
            }
        }
        for (int id : which) {
            processes[id - 1] = ChildJvm.start("kafka.Kafka", List.of(brokerDir(id).resolve("server.properties").toString()),
                    Map.of(), brokerDir(id).resolve("broker.log"), "-Xmx384m", "-XX:+UseSerialGC");
        }
        long alive = java.util.Arrays.stream(processes).filter(p -> p != null && p.isAlive()).count();
        try (Admin admin = admin()) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == alive);
        }
        return this;
    }

    Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers(), "request.timeout.ms", 2000,
                "default.api.timeout.ms", 3000));
    }

    /** The node id of the controller quorum's leader. */
    int quorumLeader() throws Exception {
        try (Admin admin = admin()) {
            return await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> admin.describeMetadataQuorum().quorumInfo().get(3, TimeUnit.SECONDS).leaderId(), l -> l > 0);
        }
    }

    void kill9(int id) throws InterruptedException {
        ChildJvm.kill9(processes[id - 1]);
        processes[id - 1] = null;
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < 3; i++) {
            Process p = processes[i];
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    ChildJvm.kill9(p);
                }
            }
        }
    }
}
