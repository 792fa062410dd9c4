package org.herd.node.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RepliesTest {

    @ParameterizedTest(name = "[{index}] received {0}.{1}, client time {2} -> {3}")
    @CsvSource({
            "1621464828, 223371889, 1621464827.959498503, +0.263873386",
            "1621464827, 959498503, 1621464827.959498503, +0.000000000",
            "1621464827, 0, 1621464827.5, -0.500000000",
            "1621464827, 0, 1621464828, -1.000000000",
            "100, 1, 99, +1.000000001",
            "0, 0, -1.25, +1.250000000",
    })
    void skewIsReceiveTimeMinusClientTimeWithNineDecimals(long seconds, int nanos, String clientTime, String skew) {
        Command.Iamat iamat = (Command.Iamat) LineParser.parse("IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 " + clientTime);
        String at = Replies.at("Alford", Instant.ofEpochSecond(seconds, nanos), iamat);
        assertThat(at).isEqualTo("AT Alford " + skew + " kiwi.cs.ucla.edu +34.068930-118.445127 " + clientTime);
        assertThat(Replies.skewOf(at)).isEqualTo(skew);
    }

    @org.junit.jupiter.api.Test
    void fieldsAreCopiedExactlyAsWritten() {
        Command.Iamat iamat = (Command.Iamat) LineParser.parse("IAMAT  kiwi  +34.06893-118.445127\t1621464827.9594985 ");
        assertThat(Replies.at("Welsh", Instant.ofEpochSecond(1621464828, 0), iamat))
                .isEqualTo("AT Welsh +0.040501500 kiwi +34.06893-118.445127 1621464827.9594985");
    }
}
