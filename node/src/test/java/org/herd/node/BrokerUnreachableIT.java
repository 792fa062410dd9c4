package org.herd.node;

import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the broker cannot be reached, a node never sends a false AT: the client gets the documented
 * error line within the write timeout. Reads stay available from local state.
 */
class BrokerUnreachableIT {
    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford")
            .with("write.timeout.ms", "2000")
            .with("read.freshness.timeout.ms", "500");

    @Test
    void writesGetTheErrorLineAndReadsAnswerFromLocalState() throws Exception {
        String at;
        try (LineClient c = HERD.herd().client("Alford")) {
            at = c.ask("IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1621464827.959498503");
            assertThat(at).startsWith("AT Alford ");
        }

        HERD.kafka().close(); // the extension's own close after the test is then a no-op

        try (LineClient c = HERD.herd().client("Alford")) {
            long start = System.nanoTime();
            String line = "IAMAT kiwi.cs.ucla.edu +35.000000-118.000000 1621464900";
            assertThat(c.ask(line)).isEqualTo("ERROR unavailable " + line);
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);

            String reply = c.whatsat("WHATSAT kiwi.cs.ucla.edu 10 3");
            assertThat(reply).startsWith(at + "\n{");
            assertThat(c.ask("BAD input")).isEqualTo("? BAD input");
        }
    }
}
