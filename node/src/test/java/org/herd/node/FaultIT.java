package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.BrokerProcess;
import org.herd.node.fixtures.NodeProcesses;
import org.herd.node.fixtures.ProcessHerd;
import org.herd.node.fixtures.ReliabilityFigures;
import org.herd.node.fixtures.Writers;
import org.herd.node.replica.ReplicaDirectories;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real faults in a real herd: a broker and three nodes, each a process of its own, killed with
 * SIGKILL while clients write to every node. Nothing that got an AT may be lost; nothing may get
 * an AT that could be lost; every node converges. Figures go to target/reliability-figures.txt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultIT {
    private static final List<String> NODES = List.of("Alford", "Ball", "Hamilton");

    @RegisterExtension
    static final ProcessHerd HERD = ProcessHerd.under(Path.of("target", "fault-it"), NODES)
            .with("write.timeout.ms", "3000").with("read.freshness.timeout.ms", "500");
    private BrokerProcess broker;
    private NodeProcesses herd;

    @BeforeAll
    void theHerd() {
        broker = HERD.broker();
        herd = HERD.herd();
    }

    private List<IntSupplier> ports() {
        return NODES.stream().map(n -> (IntSupplier) () -> herd.tcpPort(n)).toList();
    }

    private List<Integer> tcpPorts() {
        return NODES.stream().map(herd::tcpPort).toList();
    }

    @Test
    @Order(1)
    void killingANodeLosesNothingThatWasAcknowledged() throws Exception {
        Writers writers = new Writers("kill-node", 40, ports()).start(6);
        await().atMost(Duration.ofSeconds(60)).until(() -> writers.acknowledged.size() >= 300);
        herd.kill9("Ball");
        long atKill = writers.acknowledged.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> writers.acknowledged.size() >= atKill + 300);
        herd.start("Ball");
        await().atMost(Duration.ofSeconds(60)).until(() -> writers.acknowledged.size() >= atKill + 600);
        writers.close();

        long found = writers.verifyOn(tcpPorts());
        ReliabilityFigures.record(String.format("node-kill-9: acknowledged=%d found=%d error-lines=%d unanswered=%d",
                writers.acknowledged.size(), found, writers.refused.size(), writers.unanswered.size()));
        assertThat(found).isEqualTo(writers.acknowledged.size());
        assertThat(writers.unanswered).isNotEmpty(); // the kill did cut clients off mid-request
    }

    @Test
    @Order(2)
    void killingTheBrokerNeverGivesAFalseAtAndTheHerdConvergesWithoutRestarts() throws Exception {
        Writers writers = new Writers("kill-broker", 40, ports()).start(6);
        await().atMost(Duration.ofSeconds(60)).until(() -> writers.acknowledged.size() >= 300);
        broker.kill9();

        // during the outage: reads answer from local state, in bounded time, on every node
        await().atMost(Duration.ofSeconds(30)).until(() -> writers.refused.size() >= 6);
        for (String n : NODES) {
            try (LineClient c = new LineClient(herd.tcpPort(n))) {
                long t0 = System.nanoTime();
                String reply = c.whatsat("WHATSAT " + writers.acknowledged.peek().client() + " 1 1");
                assertThat(reply).startsWith("AT ");
                assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.0);
            }
        }
        long refusedDuringOutage = writers.refused.size();

        broker.start();
        long afterRestart = writers.acknowledged.size();
        await().atMost(Duration.ofSeconds(90)).until(() -> writers.acknowledged.size() >= afterRestart + 300);
        writers.close();

        // converged: same digest everywhere, every acknowledged update present
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode first = HttpClientSupport.get(herd.adminPort(NODES.get(0)), "/admin/digest").json();
            for (String n : NODES) {
                JsonNode d = HttpClientSupport.get(herd.adminPort(n), "/admin/digest").json();
                assertThat(d.get("sha256")).isEqualTo(first.get("sha256"));
            }
        });
        long found = writers.verifyOn(tcpPorts());
        ReliabilityFigures.record(String.format("broker-kill-9: acknowledged=%d found=%d error-lines=%d (during outage %d) unanswered=%d",
                writers.acknowledged.size(), found, writers.refused.size(), refusedDuringOutage,
                writers.unanswered.size()));
        assertThat(found).isEqualTo(writers.acknowledged.size());
    }

    @Test
    @Order(3)
    void aNodeWipedWhileDownRebuildsToTheSameState() throws Exception {
        JsonNode reference = HttpClientSupport.get(herd.adminPort("Alford"), "/admin/digest").json();
        herd.kill9("Hamilton");
        ReplicaDirectories.deleteRecursively(herd.stateDir("Hamilton"));
        herd.start("Hamilton");
        JsonNode rebuilt = HttpClientSupport.get(herd.adminPort("Hamilton"), "/admin/digest").json();
        assertThat(rebuilt.get("sha256")).isEqualTo(reference.get("sha256"));
        assertThat(rebuilt.get("clients")).isEqualTo(reference.get("clients"));
        ReliabilityFigures.record(String.format("wipe-state: clients=%d digest-equal=%s", rebuilt.get("clients").asLong(),
                rebuilt.get("sha256").equals(reference.get("sha256"))));
    }
}
