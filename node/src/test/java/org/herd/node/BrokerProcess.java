package org.herd.node;

import org.apache.kafka.clients.admin.Admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real single-node KRaft broker in a process of its own (the same setup scripts/herd uses), so
 * a test can kill -9 it and start it again on the same ports and data.
 */
final class BrokerProcess implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Path props;
    private Process process;

    BrokerProcess(Path dir) throws Exception {
        this.dir = dir;
        this.port = ChildJvm.freePort();
        int controller = ChildJvm.freePort();
        Files.createDirectories(dir.resolve("data"));
        props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller", "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"), "num.partitions=3", "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1", "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1", "group.initial.rebalance.delay.ms=0",
                "log.cleaner.dedupe.buffer.size=16777216", ""));
        Process format = ChildJvm.start("kafka.tools.StorageTool",
                List.of("format", "--standalone", "-t", "herd-test-cluster-01", "-c", props.toString()),
                Map.of(), dir.resolve("format.log"));
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("formatting failed: " + Files.readString(dir.resolve("format.log")));
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker and waits until it answers a metadata request. */
    BrokerProcess start() throws Exception {
        process = ChildJvm.start("kafka.Kafka", List.of(props.toString()), Map.of(), dir.resolve("broker.log"),
                "-Xmx512m", "-XX:+UseSerialGC");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers(),
                "request.timeout.ms", 2000, "default.api.timeout.ms", 3000))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == 1);
        }
        return this;
    }

    void kill9() throws InterruptedException {
        ChildJvm.kill9(process);
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                ChildJvm.kill9(process);
            }
        }
    }
}
