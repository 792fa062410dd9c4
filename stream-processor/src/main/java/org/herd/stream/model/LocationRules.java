package org.herd.stream.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import java.math.BigDecimal;

/** What makes a location record acceptable to the store (the line parser enforces the same). */
public final class LocationRules {
    private LocationRules() {
    }

    /** Longest client id, in characters (code points), as the line protocol takes it. */
    public static final int MAX_CLIENT_ID_CHARS = 256;

    /**
     * A client id as the line protocol takes it (its LineParser applies the same rule): 1 to 256
     * characters, no white space, space or control characters. Keys outside it (a producer's bad
     * key, or one in the stores' bookkeeping space, which starts with a space) are skipped.
     */
    public static boolean isValidClientId(String id) {
        return id != null && !id.isEmpty() && id.codePointCount(0, id.length()) <= MAX_CLIENT_ID_CHARS
                && id.codePoints().noneMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c)
                || Character.isSpaceChar(c) || c == 0xFEFF);
    }

    /** ISO 6709 decimal degrees as the line protocol takes them: signed latitude, then signed longitude (groups 1, 2). */
    public static final Pattern LOCATION =
            Pattern.compile("([+-]\\d{1,3}(?:\\.\\d{1,20})?)([+-]\\d{1,3}(?:\\.\\d{1,20})?)");
    /** POSIX seconds as the line protocol takes them: optional sign, 1 to 19 digits, up to 9 decimals. */
    public static final Pattern TIME = Pattern.compile("[+-]?\\d{1,19}(?:\\.\\d{1,9})?");
    /** A node's name as a record can carry it. */
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The skew field of an AT line: signed seconds with exactly nine decimals. */
    private static final Pattern SKEW = Pattern.compile("[+-]\\d{1,21}\\.\\d{9}");

    /**
     * How far ahead of the node's clock a client time may be, in seconds: one day. Newest client
     * time wins, so a time far in the future would freeze a client where it is (a 19-digit time:
     * for good). Fixed, not a setting: every node and every replay must take the same records.
     */
    public static final long MAX_SECONDS_AHEAD = 86_400;
    /** A stored record's client time may be this much more ahead of its record's timestamp (producers' clocks). */
    private static final long RECORD_CLOCK_MARGIN_SECONDS = 3_600;

    /** Whether {@code clientTime} is at most {@link #MAX_SECONDS_AHEAD} after {@code epochMillis}. */
    public static boolean isNotFarAhead(BigDecimal clientTime, long epochMillis) {
        return clientTime.compareTo(BigDecimal.valueOf(epochMillis, 3).add(BigDecimal.valueOf(MAX_SECONDS_AHEAD))) <= 0;
    }

    /**
     * Whether a stored update's client time is at most a day and an hour after its record's
     * timestamp (the time its producer sent it; the broker refuses timestamps more than an hour
     * ahead of its own clock): every node and every replay decide the same.
     */
    public static boolean isNotFarAheadOfRecord(Location l, long recordTimestampMillis) {
        return isNotFarAhead(l.clientTimeValue(), recordTimestampMillis + RECORD_CLOCK_MARGIN_SECONDS * 1000);
    }

    /** An ISO 6709 location field as the line protocol takes it (range not checked). */
    public static boolean isValidLocationText(String location) {
        return location != null && LOCATION.matcher(location).matches();
    }

    /** A client time field as the line protocol takes it. */
    public static boolean isValidClientTime(String time) {
        return time != null && TIME.matcher(time).matches();
    }

    /** A node name as a record can carry it. */
    public static boolean isValidNodeName(String node) {
        return node != null && NODE.matcher(node).matches();
    }

    /**
     * Whether a location record is one the line protocol could have produced: a client id, an ISO
     * 6709 location in range ({@code lat} and {@code lng} too, the decoded position queries use), a client time, a node name, and
     * {@code at} the AT line of exactly those fields with {@code skew}. Anything else a producer writes to the topic
     * is skipped and counted where it is read, so that no reply, event line or JSON answer carries
     * bytes the protocol would not (a newline in a field would forge lines and frames).
     */
    public static boolean isValid(Location l) {
        if (l == null || !isValidClientId(l.client()) || l.at() == null || l.clientTime() == null
                || l.location() == null || l.node() == null) {
            return false;
        }
        Matcher m = LOCATION.matcher(l.location());
        if (!m.matches() || !TIME.matcher(l.clientTime()).matches() || !NODE.matcher(l.node()).matches()) {
            return false;
        }
        if (!(Math.abs(l.lat()) <= 90) || !(Math.abs(l.lng()) <= 180)
                || new BigDecimal(m.group(1)).abs().compareTo(BigDecimal.valueOf(90)) > 0
                || new BigDecimal(m.group(2)).abs().compareTo(BigDecimal.valueOf(180)) > 0) {
            return false;
        }
        return l.skew() != null && SKEW.matcher(l.skew()).matches()
                && l.at().equals(Location.atLine(l.node(), l.skew(), l.client(), l.location(), l.clientTime()));
    }
}
