package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.TestKafka;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import java.io.File;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the compose herd (three brokers, five nodes; docker-compose.yml) through Testcontainers'
 * compose support where a Docker engine exists, and a classic session against it. Skipped with a
 * clear reason elsewhere, as on the dev machines.
 */
class ComposeIT {
    private static final List<String> NODES = List.of("alford", "ball", "hamilton", "holiday", "welsh");

    @Test
    void theComposeHerdAnswersAClassicSession() throws Exception {
        Assumptions.assumeTrue(TestKafka.Docker.available(), "no Docker engine here: the compose herd cannot start");
        ComposeContainer compose = new ComposeContainer(new File("../docker-compose.yml")).withBuild(true);
        for (String node : NODES) {
            compose = compose.waitingFor(node, Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(10)));
        }
        compose.start();
        try {
            String at;
            try (LineClient c = new LineClient(12001)) {
                at = c.ask("IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1621464827.959498503");
            }
            assertThat(at).startsWith("AT Alford ");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                try (LineClient c = new LineClient(12005)) {
                    assertThat(c.whatsat("WHATSAT kiwi.cs.ucla.edu 10 5")).startsWith(at + "\n{");
                }
            });
            for (int port : List.of(18001, 18002, 18003, 18004, 18005)) {
                assertThat(HttpClientSupport.get(port, "/health").status()).isEqualTo(200);
            }
        } finally {
            compose.stop();
        }
    }
}
