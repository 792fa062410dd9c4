package org.herd.node;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the compose herd (three brokers, five nodes) where a Docker engine with the compose plugin
 * exists, and a classic session against it. Skipped cleanly elsewhere, as on the dev machines.
 */
class ComposeIT {
    private static final Path ROOT = Path.of("..");
    private static boolean started;

    private static boolean run(Duration limit, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void theComposeHerdAnswersAClassicSession() throws Exception {
        Assumptions.assumeTrue(run(Duration.ofSeconds(20), "docker", "info")
                        && run(Duration.ofSeconds(20), "docker", "compose", "version"),
                "no Docker engine with compose here");
        started = true;
        assertThat(run(Duration.ofMinutes(20), "docker", "compose", "up", "-d", "--build", "--wait")).isTrue();
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
    }

    @AfterAll
    static void down() {
        if (started) {
            run(Duration.ofMinutes(5), "docker", "compose", "down", "-v");
        }
    }
}
