package org.herd.node.service;

import org.herd.stream.model.Location;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A client's update as a front door received it: the fields as the client wrote them (and the
 * parsed position and time), and when this node received it.
 *
 * @param client     the client id
 * @param location   the ISO 6709 location as written
 * @param lat        its latitude in degrees
 * @param lng        its longitude in degrees
 * @param time       the client's POSIX time as written
 * @param timeValue  that time as an exact decimal
 * @param receivedAt when the node received the update (its skew is measured from this)
 */
public record LocationUpdate(String client, String location, double lat, double lng, String time,
                             BigDecimal timeValue, Instant receivedAt) {

    /** The record published for this update by {@code node}: its skew as a field, its AT line beside it. */
    public Location toLocation(String node) {
        return Location.received(client, location, lat, lng, time, timeValue, node, receivedAt);
    }
}
