package org.herd.node.protocol;

import org.herd.stream.model.Location;

/** Formats the line protocol's replies. Pure. */
public final class Replies {
    private Replies() {
    }

    /**
     * {@code AT node skew client location time}: skew is the node's receive time minus the
     * client's time, signed, in seconds with 9 decimals; the last three fields are as written.
     */
    public static String at(Location l) {
        return Location.atLine(l.node(), l.skew(), l.client(), l.location(), l.clientTime());
    }

    /**
     * {@code EVENT fence detect client location time node}: one fence event for a {@code WATCH}ing
     * connection; the client's fields as it sent them.
     */
    public static String event(String fence, String detect, String client, String location, String time, String node) {
        return "EVENT " + fence + " " + detect + " " + client + " " + location + " " + time + " " + node;
    }

    /**
     * {@code NEWS client place-id lat lng name}: one news item for a {@code WATCHNEWS} connection
     * (the name last: it may hold spaces; line breaks in it are sent as spaces).
     */
    public static String news(String client, org.herd.stream.model.Place place) {
        return "NEWS " + client + " " + place.id() + " " + place.lat() + " " + place.lng() + " "
                + place.name().replace('\n', ' ').replace('\r', ' ');
    }

    /** The error line sent instead of AT when the node has {@code write.inflight.max} writes in flight. */
    public static String busy(String line) {
        return "ERROR busy " + line;
    }

    /** The error line sent instead of AT when the update could not be made durable in time. */
    public static String unavailable(String line) {
        return "ERROR unavailable " + line;
    }
}
