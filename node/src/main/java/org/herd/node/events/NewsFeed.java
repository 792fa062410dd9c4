package org.herd.node.events;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.herd.node.service.EventSource;
import org.herd.node.service.NewsSource;
import org.herd.stream.geo.Geo;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.model.Place;
import org.herd.stream.model.PlaceRules;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A node's news subscribers: a {@link TopicFeed} of the places topic whose records are the news
 * items among the places (types include {@code news}; deletions and other places pass by), each
 * subscriber taking those within its radius of its client's newest position, looked up when the
 * feed reads the item. Ids are {@code n1.<next offset of partition 0>.<of partition 1>...}.
 */
public final class NewsFeed implements NewsSource, AutoCloseable {
    private final TopicFeed<Place> feed;
    private final Function<String, Optional<Location>> positions;

    /** {@code positions}: a client's newest location as this node knows it now. */
    public NewsFeed(String node, String topic, Map<String, Object> clientSettings, int maxSubscribers, int maxCatchingUp,
                    Duration patience, int maxPerAddress, int maxCatchingUpPerAddress, Function<String, Optional<Location>> positions) {
        this.positions = positions;
        this.feed = new TopicFeed<>(node, topic, new TopicFeed.Naming("news", "n1", "news.subscribers.max", "news.catchup.max"),
                NewsFeed::newsItem, clientSettings, maxSubscribers, maxCatchingUp, patience,
                maxPerAddress, maxCatchingUpPerAddress);
    }

    public void start() {
        feed.start();
    }

    private static Place newsItem(ConsumerRecord<String, byte[]> r) {
        Place p = r.value() == null ? null : Json.decodeOrNull(r.value(), Place.class);
        // what the replicas would skip is no news either: a producer's item without a name, out of range, ...
        return p != null && PlaceRules.isValid(p) && p.id().equals(r.key()) && p.types().contains("news") ? p : null;
    }

    @Override
    public Optional<String> checkNewsId(String id) {
        return feed.checkId(id);
    }

    @Override
    public EventSource.Subscription subscribe(String client, double radiusMetres, EventSource.From from, EventSource.Sink sink) {
        return feed.subscribe((place, id) -> {
            Optional<Location> at = positions.apply(client);
            if (at.isEmpty() || Geo.distanceMetres(at.get().lat(), at.get().lng(), place.lat(), place.lng()) > radiusMetres) {
                return null;
            }
            return new EventSource.EventMessage(id, "news", new EventSource.NewsNotice(client, place));
        }, from, sink);
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
