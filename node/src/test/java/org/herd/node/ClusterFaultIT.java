package org.herd.node;

import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.ReliabilityFigures;
import org.herd.node.fixtures.BrokerCluster;
import org.herd.node.fixtures.NodeProcesses;
import org.herd.node.fixtures.ProcessHerd;
import org.herd.node.fixtures.SseClient;
import org.herd.node.fixtures.Writers;
import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.model.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.herd.node.fixtures.HttpClientSupport.send;

/**
 * The herd on a real three-broker Kafka cluster (three broker processes, one KRaft quorum; topics
 * with replication 3 and min ISR 2), as {@code scripts/herd up --brokers 3} runs it, and two node
 * processes: a broker killed with -9 under writes, then two of three, then the controller
 * quorum's leader. Nothing acknowledged is lost; with two brokers gone no write is acknowledged
 * and reads still answer; fence events go on. Figures in docs/reliability.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFaultIT {
    private static final List<String> NODES = List.of("Alford", "Ball");
    @RegisterExtension
    static final ProcessHerd HERD = ProcessHerd.under(Path.of("target", "cluster-fault-it"), NODES).onThreeBrokers()
            .with("read.freshness.timeout.ms", "500");
    private BrokerCluster brokers;
    private NodeProcesses herd;

    @BeforeAll
    void theHerd() {
        brokers = HERD.cluster();
        herd = HERD.herd();
    }

    private List<IntSupplier> ports() {
        return NODES.stream().map(n -> (IntSupplier) () -> herd.tcpPort(n)).toList();
    }

    /** Seconds from now until {@code n} more updates than now are acknowledged. */
    private static double secondsUntilAcknowledged(Writers w, int n) {
        long from = w.acknowledged.size();
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(90)).until(() -> w.acknowledged.size() >= from + n);
        return (System.nanoTime() - t0) / 1e9;
    }

    @Test
    void oneBrokerLostWritesGoOnTwoLostWritesRefusedReadsAnswerAndNothingAcknowledgedIsLost() throws Exception {
        int ballHttp = herd.httpPort("Ball");
        assertThat(send("PUT", herd.httpPort("Alford"), "/v1/fences/cluster",
                "{\"circle\": {\"lat\": 50.0, \"lng\": 50.0, \"radius\": 5000}, \"detect\": [\"enter\"]}").status()).isEqualTo(200);
        Writers writers = new Writers("cluster", 30, ports()).start(3);
        try (SseClient events = new SseClient(ballHttp, "/v1/fences/cluster/events", null)) {
            assertThat(events.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> writers.acknowledged.size() >= 200);

            // one broker of three killed: writes are acknowledged again within seconds
            brokers.kill9(3);
            double oneDown = secondsUntilAcknowledged(writers, 10);
            await().atMost(Duration.ofSeconds(60)).until(() -> writers.acknowledged.size() >= 400);
            // the fence derivation and the event feed go on
            try (LineClient walker = new LineClient(herd.tcpPort("Alford"))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> walker.ask("IAMAT cluster-walker +50.000000+50.000000 1")
                        .startsWith("AT "));
            }
            JsonNode event = Json.MAPPER.readTree(events.next(1).get(0).data());
            assertThat(event.get("client").asText()).isEqualTo("cluster-walker");

            // two of three gone: no write is acknowledged; reads answer from local state
            brokers.kill9(2);
            long refusedAt = writers.refused.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> writers.refused.size() >= refusedAt + 3);
            long ackedWhileDown = writers.acknowledged.size();
            long refusedFrom = writers.refused.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> writers.refused.size() >= refusedFrom + 6);
            assertThat(writers.acknowledged.size()).as("no write acknowledged with one broker of three").isEqualTo(ackedWhileDown);
            try (LineClient reader = new LineClient(herd.tcpPort("Ball"))) {
                assertThat(reader.whatsat("WHATSAT cluster-walker 10 1")).startsWith("AT Alford");
            }
            String refusedLine;
            try (LineClient c = new LineClient(herd.tcpPort("Alford"))) {
                refusedLine = c.ask("IAMAT cluster-refused +1.000000+1.000000 1");
            }
            assertThat(refusedLine).isEqualTo("ERROR unavailable IAMAT cluster-refused +1.000000+1.000000 1");

            // both back: all resumes
            long t0 = System.nanoTime();
            brokers.start(2, 3);
            double backAfter = secondsUntilAcknowledged(writers, 10) + (System.nanoTime() - t0) / 1e9;

            // the controller quorum's leader killed
            int leader = brokers.quorumLeader();
            brokers.kill9(leader);
            double leaderDown = secondsUntilAcknowledged(writers, 10);
            brokers.start(leader);
            secondsUntilAcknowledged(writers, 50);
            writers.close();

            long found = writers.verifyOn(NODES.stream().map(herd::tcpPort).toList());
            ReliabilityFigures.record(String.format("three-broker cluster: first acknowledged writes %.1f s after a broker's kill -9, "
                            + "%.1f s after the quorum leader's (broker %d); two of three down: %d refused, 0 acknowledged; "
                            + "back %.1f s after restarting both; acknowledged=%d found on both nodes=%d",
                    oneDown, leaderDown, leader, writers.refused.size() - refusedAt, backAfter,
                    writers.acknowledged.size(), found));
            assertThat(found).isEqualTo(writers.acknowledged.size());
        } finally {
            writers.close();
        }
    }
}
