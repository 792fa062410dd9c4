package org.herd.node;

import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.TestHerd;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.herd.node.fixtures.HttpClientSupport.clientIds;
import static org.herd.node.fixtures.HttpClientSupport.get;

/**
 * The who-is-near index bounded in bytes (clients.index.max.bytes): the longest client ids
 * (256 code points outside the Basic Multilingual Plane, about 1,250 bytes each in the index)
 * fill it sooner than short ones, and a client past it is left out of who-is-near answers, which
 * say so, while the node still stores and answers for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientIdBytesIT {
    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford")
            .with("clients.index.max.bytes", "4000");

    private TestHerd herd;

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    @Test
    void theLongestIdsFillTheIndexByBytesAndTheNextIsLeftOutAndSaidSo() throws Exception {
        String longest = "\uD83D\uDE00".repeat(255);
        try (LineClient c = herd.client("Alford")) {
            for (int i = 0; i < 4; i++) { // any three take 3,726 bytes; a fourth would pass 4,000
                assertThat(c.ask("IAMAT " + longest + i + " +30.000000+30.000000 1000.5")).startsWith("AT Alford");
            }
            assertThat(c.ask("WHATSAT " + longest + 3 + " 10 1")).startsWith("AT Alford").contains(longest + 3);
        }
        var reply = get(herd.node("Alford").httpPort(), "/v1/locations?near=30,30&radius=5&limit=10");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode near = reply.json();
        // three of the four: which three depends on the order the replica applied their partitions
        assertThat(clientIds(near)).hasSize(3).isSubsetOf(longest + 0, longest + 1, longest + 2, longest + 3);
        assertThat(near.get("complete").asBoolean()).isFalse();
        assertThat(near.get("incomplete").asText()).contains("clients.index.max.bytes = 4000 bytes");
        String metrics = get(herd.node("Alford").adminPort(), "/metrics").body();
        assertThat(metrics).contains("herd_clients_index_bytes{node=\"Alford\"} 3726.0")
                .contains("herd_clients_index_left_out_total{node=\"Alford\"} 1.0");
    }
}
