package org.herd.stream.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * One accepted IAMAT, as published to the locations topic and kept in every node's store.
 *
 * @param client     the client id, as written
 * @param location   the ISO 6709 location field, as written
 * @param lat        parsed latitude in degrees
 * @param lng        parsed longitude in degrees
 * @param clientTime the client's POSIX time field, as written
 * @param node       the node that received the IAMAT
 * @param at         the complete AT line that node replied with, kept in the record for readers that
 *                   predate {@code skew} (docs/topics.md); the herd itself reads the fields
 * @param skew       the node's receive time minus the client's time, signed, in seconds with nine
 *                   decimals (the AT line's second field). Records written before this field
 *                   existed carry none: it is read from {@code at} as they are decoded.
 */
public record Location(String client, String location, double lat, double lng,
                       String clientTime, String node, String at, String skew) {

    public Location {
        if (skew == null && at != null) {
            skew = skewOfAt(at);
        }
    }

    /**
     * The update a node received at {@code receivedAt}: its skew from the node's clock, and its
     * AT line from the same fields.
     */
    public static Location received(String client, String location, double lat, double lng, String clientTime,
                                    BigDecimal clientTimeValue, String node, Instant receivedAt) {
        return withSkew(client, location, lat, lng, clientTime, node, skew(receivedAt, clientTimeValue));
    }

    /** An update with a known skew (a loader's, a benchmark's), its AT line from the same fields. */
    public static Location withSkew(String client, String location, double lat, double lng, String clientTime,
                                    String node, String skew) {
        return new Location(client, location, lat, lng, clientTime, node, atLine(node, skew, client, location, clientTime), skew);
    }

    /** {@code AT node skew client location time}: what {@code at} holds for these fields. */
    public static String atLine(String node, String skew, String client, String location, String clientTime) {
        return "AT " + node + " " + skew + " " + client + " " + location + " " + clientTime;
    }

    /** Signed seconds with nine decimals: {@code receivedAt} minus {@code clientTime}. */
    public static String skew(Instant receivedAt, BigDecimal clientTime) {
        BigDecimal received = BigDecimal.valueOf(receivedAt.getEpochSecond()).add(BigDecimal.valueOf(receivedAt.getNano(), 9));
        BigDecimal diff = received.subtract(clientTime).setScale(9, RoundingMode.HALF_EVEN);
        return (diff.signum() < 0 ? "" : "+") + diff.toPlainString();
    }

    /** The second field of an AT line ({@code AT node skew ...}), or null if it has none. */
    private static String skewOfAt(String at) {
        int node = at.indexOf(' ', 3);
        int end = node < 0 ? -1 : at.indexOf(' ', node + 1);
        return at.startsWith("AT ") && end > node + 1 ? at.substring(node + 1, end) : null;
    }

    /** The client time as an exact decimal, for ordering; fields are validated before publishing. */
    public BigDecimal clientTimeValue() {
        return new BigDecimal(clientTime);
    }

    /**
     * Whether this update should replace {@code stored}: only a strictly newer client time does.
     * Updates with equal client times are ordered by their position in the topic, which every node
     * reads in the same order (one client's updates share one partition), so the first one wins
     * everywhere, including after a replay.
     */
    public boolean supersedes(Location stored) {
        return stored == null || clientTimeValue().compareTo(stored.clientTimeValue()) > 0;
    }
}
