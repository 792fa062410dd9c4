package org.herd.node.protocol;

import org.herd.node.service.LocationUpdate;
import org.herd.node.service.PlacesNearClient;

import java.math.BigDecimal;
import java.time.Instant;

/** A parsed line of the line protocol. */
public sealed interface Command {

    /**
     * {@code IAMAT client location time}: a client reports where it is.
     * The three fields are kept exactly as written, for the AT reply.
     */
    record Iamat(String client, String location, double lat, double lng, String time, BigDecimal timeValue)
            implements Command {
        /** The update the service takes: these fields, received at {@code receivedAt}. */
        public LocationUpdate receivedAt(Instant receivedAt) {
            return new LocationUpdate(client, location, lat, lng, time, timeValue, receivedAt);
        }
    }

    /** {@code WHATSAT client radiusKm limit}: what is near a client. */
    record Whatsat(String client, double radiusKm, int limit) implements Command {
        /** The question the service answers. */
        public PlacesNearClient query() {
            return new PlacesNearClient(client, radiusKm, limit);
        }
    }

    /**
     * {@code WATCH <fence-id>} or {@code WATCH *}: the connection becomes a stream of that fence's
     * events (every fence's for {@code *}), one {@code EVENT} line each, until the client closes it.
     */
    record Watch(String fence) implements Streaming {
        public boolean everyFence() {
            return fence.equals("*");
        }
    }

    /** A command that turns the connection into a stream of lines until the client closes it. */
    sealed interface Streaming extends Command permits Watch, WatchNews {
    }

    /**
     * {@code WATCHNEWS <client> <radius-km>}: the connection becomes a stream of the news items
     * posted from now on within the radius of the client's newest position, one {@code NEWS} line each.
     */
    record WatchNews(String client, double radiusKm) implements Streaming {
    }

    /** A line that is not a valid command; the reply is {@code ? } and the line as written. */
    record Unparsable(String reason) implements Command {
    }
}
