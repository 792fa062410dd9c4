package org.herd.stream.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The stored update: its skew field, its AT line beside it, and records written before the field. */
class LocationTest {

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
        Location l = Location.received("kiwi.cs.ucla.edu", "+34.068930-118.445127", 34.06893, -118.445127, clientTime,
                new BigDecimal(clientTime), "Alford", Instant.ofEpochSecond(seconds, nanos));
        assertThat(l.skew()).isEqualTo(skew);
        assertThat(l.at()).isEqualTo("AT Alford " + skew + " kiwi.cs.ucla.edu +34.068930-118.445127 " + clientTime);
        assertThat(LocationRules.isValid(l)).isTrue();
    }

    @Test
    void theSkewIsStoredAsAFieldBesideTheAtLine() {
        Location l = Location.received("kiwi", "+1+1", 1, 1, "99", new BigDecimal("99"), "Ball", Instant.ofEpochSecond(100));
        String json = new String(Json.encode(l), StandardCharsets.UTF_8);
        assertThat(json).contains("\"skew\":\"+1.000000000\"").contains("\"at\":\"AT Ball +1.000000000 kiwi +1+1 99\"");
        assertThat(Json.decodeOrNull(json.getBytes(StandardCharsets.UTF_8), Location.class)).isEqualTo(l);
    }

    @Test
    void aRecordWrittenBeforeTheSkewFieldIsReadWithTheSkewOfItsAtLine() {
        String old = "{\"client\":\"kiwi\",\"location\":\"+1+1\",\"lat\":1.0,\"lng\":1.0,\"clientTime\":\"99\","
                + "\"node\":\"Ball\",\"at\":\"AT Ball -0.250000000 kiwi +1+1 99\"}";
        Location l = Json.decodeOrNull(old.getBytes(StandardCharsets.UTF_8), Location.class);
        assertThat(l).isNotNull();
        assertThat(l.skew()).isEqualTo("-0.250000000");
        assertThat(LocationRules.isValid(l)).isTrue();
    }

    @Test
    void aSkewThatDisagreesWithItsAtLineOrIsMalformedIsNotAValidRecord() {
        String at = "AT Ball -0.250000000 kiwi +1+1 99";
        assertThat(LocationRules.isValid(new Location("kiwi", "+1+1", 1, 1, "99", "Ball", at, "+0.250000000"))).isFalse();
        assertThat(LocationRules.isValid(new Location("kiwi", "+1+1", 1, 1, "99", "Ball", "AT Ball x kiwi +1+1 99", null))).isFalse();
        assertThat(LocationRules.isValid(new Location("kiwi", "+1+1", 1, 1, "99", "Ball", "AT", null))).isFalse();
        assertThat(LocationRules.isValid(new Location("kiwi", "+1+1", 1, 1, "99", "Ball", at, null))).isTrue();
    }
}
