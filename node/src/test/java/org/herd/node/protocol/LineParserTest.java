package org.herd.node.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

/** The line protocol's commands, as a table: each line and what it parses to. */
class LineParserTest {

    @ParameterizedTest(name = "[{index}] valid IAMAT: {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            // line | client | location | lat | lng | time
            "IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1621464827.959498503|kiwi.cs.ucla.edu|+34.068930-118.445127|34.06893|-118.445127|1621464827.959498503",
            "IAMAT kiwi.cs.ucla.edu +34.06893-118.445127 1621464827.9594985|kiwi.cs.ucla.edu|+34.06893-118.445127|34.06893|-118.445127|1621464827.9594985",
            "\"  IAMAT   kiwi  +34.068930-118.445127\t1621464827  \"|kiwi|+34.068930-118.445127|34.06893|-118.445127|1621464827",
            "\"\tIAMAT\tkiwi\t-33.8688+151.2093\t1\t\"|kiwi|-33.8688+151.2093|-33.8688|151.2093|1",
            "IAMAT k +90-180 0|k|+90-180|90|-180|0",
            "IAMAT k -90.0+180.0 -0|k|-90.0+180.0|-90|180|-0",
            "IAMAT k +0+0 -12.5|k|+0+0|0|0|-12.5",
            "IAMAT k +34.068930-118.445127 +1621464827.5|k|+34.068930-118.445127|34.06893|-118.445127|+1621464827.5",
            "IAMAT żółw/ünïcode +1+1 1|żółw/ünïcode|+1+1|1|1|1",
    })
    void validIamat(String line, String client, String location, double lat, double lng, String time) {
        Command c = LineParser.parse(line);
        assertThat(c).isInstanceOf(Command.Iamat.class);
        Command.Iamat i = (Command.Iamat) c;
        assertThat(i.client()).isEqualTo(client);
        assertThat(i.location()).isEqualTo(location);
        assertThat(i.lat()).isEqualTo(lat);
        assertThat(i.lng()).isEqualTo(lng);
        assertThat(i.time()).isEqualTo(time);
        assertThat(i.timeValue()).isEqualByComparingTo(new BigDecimal(time));
    }

    @ParameterizedTest(name = "[{index}] valid WHATSAT: {0}")
    @CsvSource(delimiter = '|', value = {
            "WHATSAT kiwi.cs.ucla.edu 10 5|kiwi.cs.ucla.edu|10|5",
            "WHATSAT k 50 20|k|50|20",
            "WHATSAT k 50.000 1|k|50|1",
            "WHATSAT k 0.001 01|k|0.001|1",
            "WHATSAT k +7.5 +3|k|7.5|3",
            "WHATSAT\tk\t\t1   20|k|1|20",
    })
    void validWhatsat(String line, String client, double radius, int limit) {
        assertThat(LineParser.parse(line)).isEqualTo(new Command.Whatsat(client, radius, limit));
    }

    @ParameterizedTest(name = "[{index}] invalid: [{0}]")
    @ValueSource(strings = {
            "HELLO",
            "iamat kiwi +34.068930-118.445127 1621464827.959498503",
            "IAMAT",
            "IAMAT kiwi +34.068930-118.445127",
            "IAMAT kiwi +34.068930-118.445127 1621464827.959498503 extra",
            "IAMAT kiwi 34.068930-118.445127 1621464827",
            "IAMAT kiwi +34.068930118.445127 1621464827",
            "IAMAT kiwi +34.068930 1621464827",
            "IAMAT kiwi +90.0000001+0 1",
            "IAMAT kiwi -90.00000000000000000001+0 1",
            "IAMAT kiwi +0+180.00000000000000000001 1",
            "IAMAT kiwi -91+0 1",
            "IAMAT kiwi +0+180.0000001 1",
            "IAMAT kiwi +0-181 1",
            "IAMAT kiwi +NaN+0 1",
            "IAMAT kiwi +1e3+0 1",
            "IAMAT kiwi +1.+0 1",
            "IAMAT kiwi +1+1 NaN",
            "IAMAT kiwi +1+1 1e309",
            "IAMAT kiwi +1+1 1.",
            "IAMAT kiwi +1+1 .5",
            "IAMAT kiwi +1+1 1.1234567890",
            "IAMAT kiwi +1+1 0x10",
            "IAMAT kiwi +1+1 １２",
            "IAMAT ki\u0000wi +1+1 1",
            "IAMAT ki\rwi +1+1 1",
            "IAMAT ki\u00a0wi +1+1 1",
            "WHATSAT",
            "WHATSAT kiwi 10",
            "WHATSAT kiwi 10 5 5",
            "WHATSAT kiwi 0 5",
            "WHATSAT kiwi 0.0 5",
            "WHATSAT kiwi -1 5",
            "WHATSAT kiwi 51 5",
            "WHATSAT kiwi 50.0000001 5",
            "WHATSAT kiwi 50.00000000000000000001 5",
            "WHATSAT kiwi 1e1 5",
            "WHATSAT kiwi NaN 5",
            "WHATSAT kiwi 10 0",
            "WHATSAT kiwi 10 21",
            "WHATSAT kiwi 10 -1",
            "WHATSAT kiwi 10 5.0",
            "WHATSAT kiwi 10 99999",
            "AT Alford +0.263873386 kiwi +34.068930-118.445127 1621464827.959498503",
    })
    void invalid(String line) {
        assertThat(LineParser.parse(line)).isInstanceOf(Command.Unparsable.class);
    }

    @ParameterizedTest(name = "[{index}] blank: [{0}]")
    @ValueSource(strings = {"", " ", "\t", "  \t  "})
    void blankLinesAreNotCommands(String line) {
        assertThat(LineParser.parse(line)).isNull();
    }

    @org.junit.jupiter.api.Test
    void clientIdsAreCappedAt256Characters() {
        assertThat(LineParser.parse("IAMAT " + "x".repeat(256) + " +1+1 1")).isInstanceOf(Command.Iamat.class);
        assertThat(LineParser.parse("IAMAT " + "x".repeat(257) + " +1+1 1")).isInstanceOf(Command.Unparsable.class);
        assertThat(LineParser.parse("WHATSAT " + "x".repeat(257) + " 1 1")).isInstanceOf(Command.Unparsable.class);
    }

    @ParameterizedTest(name = "[{index}] valid WATCHNEWS: {0}")
    @CsvSource(delimiter = '|', value = {
            "WATCHNEWS kiwi.cs.ucla.edu 2|kiwi.cs.ucla.edu|2",
            "WATCHNEWS k 50|k|50",
            "WATCHNEWS k 0.5|k|0.5",
    })
    void validWatchNews(String line, String client, double radiusKm) {
        assertThat(LineParser.parse(line)).isEqualTo(new Command.WatchNews(client, radiusKm));
    }

    @ParameterizedTest(name = "[{index}] invalid WATCHNEWS: {0}")
    @ValueSource(strings = {"WATCHNEWS", "WATCHNEWS k", "WATCHNEWS k 0", "WATCHNEWS k 51", "WATCHNEWS k -1", "WATCHNEWS k two",
            "WATCHNEWS k 2 extra", "watchnews k 2"})
    void invalidWatchNews(String line) {
        assertThat(LineParser.parse(line)).isInstanceOf(Command.Unparsable.class);
    }
}
