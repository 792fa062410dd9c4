package org.herd.node.service;

import java.util.Optional;

/**
 * News pushed to the clients it concerns (docs/http.md, "News near a client"): every news item
 * (a place whose types include {@code news}) posted or updated in the places topic, for a
 * subscriber of one client, when it lies within the radius of that client's newest position as
 * the node knows it when it reads the item. Ids are positions in the places topic.
 */
public interface NewsSource {
    /** Why {@code id} is not a news id of this herd, or empty if it is. */
    Optional<String> checkNewsId(String id);

    /**
     * Subscribes {@code sink} to the news within {@code radiusMetres} of {@code client}; fails at
     * once with {@link Busy} over {@code news.subscribers.max} or {@code news.catchup.max}.
     */
    EventSource.Subscription subscribe(String client, double radiusMetres, EventSource.From from, EventSource.Sink sink);
}
