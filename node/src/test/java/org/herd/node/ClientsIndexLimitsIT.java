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
 * What a client sees at the client index's two bounds (docs/http.md, "Who is near"): a query
 * that would examine more than {@code clients.query.scan.max} clients answers the nearest of
 * those it examined and says {@code "complete": false}; once the index holds
 * {@code clients.index.max} clients, new ones are left out of who-is-near answers (which say so),
 * while the node still stores, acknowledges and answers for them, and known clients still move.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientsIndexLimitsIT {
    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford")
            .with("clients.index.max", "5")
            .with("clients.query.scan.max", "3");

    private TestHerd herd;

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    private void iamat(String client, String where, String time) throws Exception {
        try (LineClient c = herd.client("Alford")) {
            assertThat(c.ask("IAMAT " + client + " " + where + " " + time)).startsWith("AT Alford");
        }
    }

    private JsonNode near(String point, String km) throws Exception {
        var reply = get(herd.node("Alford").httpPort(), "/v1/locations?near=" + point + "&radius=" + km);
        assertThat(reply.status()).isEqualTo(200);
        return reply.json();
    }


    @Test
    void aQueryStopsAtScanMaxAndAFullIndexLeavesNewClientsOutAndBothSaySo() throws Exception {
        // four clients in one cell: a query there examines four, one more than it may
        iamat("dense-1", "+51.501000-0.101000", "1000.5");
        iamat("dense-2", "+51.502000-0.102000", "1000.5");
        iamat("dense-3", "+51.503000-0.103000", "1000.5");
        iamat("dense-4", "+51.504000-0.104000", "1000.5");
        JsonNode cut = near("51.5,-0.1", "5");
        assertThat(cut.get("complete").asBoolean()).isFalse();
        assertThat(cut.get("incomplete").asText()).contains("examined 3 clients (clients.query.scan.max)");
        assertThat(clientIds(cut)).startsWith("dense-1");

        iamat("alone", "+10.000000+10.000000", "1000.5");
        JsonNode alone = near("10,10", "5");
        assertThat(alone.get("complete").asBoolean()).isTrue();
        assertThat(alone.has("incomplete")).isFalse();
        assertThat(clientIds(alone)).containsExactly("alone");

        // the index holds five: a sixth client is stored and answered for, but not in who-is-near
        iamat("sixth", "+20.000000+20.000000", "1000.5");
        JsonNode full = near("20,20", "5");
        assertThat(clientIds(full)).isEmpty();
        assertThat(full.get("complete").asBoolean()).isFalse();
        assertThat(full.get("incomplete").asText()).contains("client index is full (clients.index.max = 5 clients");
        String metrics = get(herd.node("Alford").adminPort(), "/metrics").body();
        assertThat(metrics).contains("herd_clients_index_entries{node=\"Alford\"} 5.0")
                .contains("herd_clients_index_left_out_total{node=\"Alford\"} 1.0");
        assertThat(get(herd.node("Alford").httpPort(), "/v1/locations/sixth").status()).isEqualTo(200);
        try (LineClient c = herd.client("Alford")) {
            assertThat(c.ask("WHATSAT sixth 10 1")).startsWith("AT Alford").contains("sixth +20.000000+20.000000");
        }
        // a known client still moves, and is found where it went
        iamat("alone", "+11.000000+11.000000", "1001.5");
        assertThat(clientIds(near("11,11", "5"))).containsExactly("alone");
        assertThat(clientIds(near("10,10", "5"))).isEmpty();
        assertThat(get(herd.node("Alford").httpPort(), "/health").status()).isEqualTo(200);
    }
}
