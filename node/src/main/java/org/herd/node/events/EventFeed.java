package org.herd.node.events;

import org.herd.stream.model.LocationRules;
import org.herd.stream.fence.FenceParser;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.herd.node.service.EventSource;
import org.herd.stream.model.Json;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A node's subscribers to the fence events topic (docs/fences.md): a {@link TopicFeed} whose
 * records are events, each subscriber taking those of its fences and client. Ids are
 * {@code e1.<next offset of partition 0>.<of partition 1>...}.
 */
public final class EventFeed implements EventSource, AutoCloseable {
    private final TopicFeed<FenceNotice> feed;

    public EventFeed(String node, String topic, Map<String, Object> clientSettings, int maxSubscribers, int maxCatchingUp,
                     Duration patience, int maxPerAddress, int maxCatchingUpPerAddress) {
        this.feed = new TopicFeed<>(node, topic, new TopicFeed.Naming("events", "e1", "events.subscribers.max", "events.catchup.max"),
                EventFeed::read, clientSettings, maxSubscribers, maxCatchingUp, patience,
                maxPerAddress, maxCatchingUpPerAddress);
    }

    /** Starts following the topic's end (the topic must exist). */
    public void start() {
        feed.start();
    }

    /** The largest event the feed forwards: an event with the largest fence meta (4 KiB) is about 5 KiB. */
    static final int MAX_EVENT_BYTES = 32 * 1024;
    private static final java.util.Set<String> DETECTS = java.util.Set.of("enter", "exit", "inside");

    /**
     * The event, or null for a record that is not one the derivation could have written (a
     * producer wrote something else there): passed over. Every field a subscriber is told is
     * checked against the protocol's rules, and the JSON is sent re-encoded, on one line, so
     * that no value can end an SSE message or a WATCH line early or forge one.
     */
    static FenceNotice read(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null || r.value().length > MAX_EVENT_BYTES) {
            return null;
        }
        JsonNode n;
        byte[] json;
        try {
            n = Json.MAPPER.readTree(r.value());
            json = n == null || !n.isObject() ? null : Json.MAPPER.writeValueAsBytes(n);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
        if (json == null) {
            return null;
        }
        FenceNotice e = new FenceNotice(n.path("fence").asText(""), n.path("detect").asText(""), n.path("client").asText(""),
                n.path("location").asText(""), n.path("time").asText(""), n.path("node").asText(""), json);
        boolean valid = FenceParser.isValidId(e.fence()) && DETECTS.contains(e.detect())
                && LocationRules.isValidClientId(e.client()) && LocationRules.isValidLocationText(e.location())
                && LocationRules.isValidClientTime(e.time()) && LocationRules.isValidNodeName(e.node());
        return valid ? e : null;
    }

    @Override
    public Optional<String> checkEventId(String eventId) {
        return feed.checkId(eventId);
    }

    @Override
    public Subscription subscribe(Filter filter, From from, Sink sink) {
        return feed.subscribe((e, id) -> filter.accepts(e.fence(), e.client())
                ? new EventMessage(id, e.detect(), e)
                : null, from, sink);
    }

    /** Subscribers now (for metrics). */
    public int subscribers() {
        return feed.subscribers();
    }

    @Override
    public void close() {
        feed.close();
    }
}
