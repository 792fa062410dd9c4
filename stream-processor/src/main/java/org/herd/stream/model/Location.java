package org.herd.stream.model;

import java.math.BigDecimal;

/**
 * One accepted IAMAT, as published to the locations topic and kept in every node's store.
 *
 * @param client     the client id, as written
 * @param location   the ISO 6709 location field, as written
 * @param lat        parsed latitude in degrees
 * @param lng        parsed longitude in degrees
 * @param clientTime the client's POSIX time field, as written
 * @param node       the node that received the IAMAT
 * @param at         the complete AT line that node replied with (WHATSAT repeats it)
 */
public record Location(String client, String location, double lat, double lng,
                       String clientTime, String node, String at) {

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
