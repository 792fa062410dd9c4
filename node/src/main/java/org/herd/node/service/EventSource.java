package org.herd.node.service;

import org.herd.stream.model.Place;

import java.util.Optional;

/**
 * Fence events as they are committed to the events topic, for subscribers of a node (HTTP
 * Server-Sent Events, {@code WATCH} on the line protocol). A subscriber starts at the topic's
 * end, after an event it saw (its id), or at the oldest event kept; it gets every later event
 * that its filter accepts, once, in the topic's order per client.
 */
public interface EventSource {
    /** Where a subscriber starts: the end of the topic, after the position of an event id, or the oldest event kept. */
    sealed interface From permits Latest, After, Earliest {
    }

    record Latest() implements From {
    }

    record After(String eventId) implements From {
    }

    record Earliest() implements From {
    }

    /** Which events a subscriber wants: of these fences (empty: every fence), of this client (null: every client). */
    record Filter(java.util.Set<String> fences, String client) {
        public boolean accepts(String fence, String eventClient) {
            return (fences.isEmpty() || fences.contains(fence)) && (client == null || client.equals(eventClient));
        }
    }

    /**
     * One message for a subscriber: its id (the position after it), its event name ({@code enter},
     * {@code news}, ...) and what it tells. Each front door writes it its own way: a {@code WATCH}
     * line, an SSE message with JSON.
     */
    record EventMessage(String id, String event, Notice notice) {
    }

    /** What a message tells: a fence event or a news item. */
    sealed interface Notice permits FenceNotice, NewsNotice {
    }

    /**
     * A fence event as committed to the events topic: the fields a subscriber is filtered and told
     * by, each within the protocol's rules, and the event's JSON on one line (the stored record,
     * re-encoded; SSE sends it as is). One per record, shared by every subscriber it goes to.
     */
    record FenceNotice(String fence, String detect, String client, String location, String time, String node,
                       byte[] json) implements Notice {
    }

    /** A news item posted within the radius of {@code client}'s newest position. */
    record NewsNotice(String client, Place place) implements Notice {
    }

    /** Where a subscriber's events go. Called from the feed's threads, never concurrently for one subscriber. */
    interface Sink {
        /** Takes one event; false when the subscriber cannot take more (its buffer is full): it is then dropped. */
        boolean offer(EventMessage m);

        /**
         * The subscriber's address (its connection's remote IP), for the per-address limits; the
         * empty string when there is none.
         */
        default String peer() {
            return "";
        }

        /** The subscription ended (the node stops, or the subscriber was dropped); {@code why} says why. */
        void ended(String why);

        /**
         * For replays of past events, which go as fast as the subscriber reads: waits until the
         * sink has room for a batch; false if it had none within {@code patience} (the subscriber
         * is not reading) or the sink has ended.
         */
        default boolean awaitRoom(java.time.Duration patience) throws InterruptedException {
            return true;
        }
    }

    /** A live subscription; closing it stops the events. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Why an event id is not one of this herd's, or empty if it is. */
    Optional<String> checkEventId(String eventId);

    /**
     * Subscribes {@code sink}; fails at once with {@link Busy} when the node has as many subscribers
     * as it takes ({@code events.subscribers.max}), or as many resuming ones as it serves at once.
     */
    Subscription subscribe(Filter filter, From from, Sink sink);
}
