package org.herd.stream.topology;

import org.herd.stream.geo.PlacesIndex;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.model.NearbyPlace;
import org.herd.stream.model.Place;
import org.herd.stream.model.Topics;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.List;
import java.util.Optional;

/** The narrow read interface the network layer uses: a client's location, and places near a point. */
public final class HerdQueries {
    private final KafkaStreams streams;
    private final PlacesIndex places;
    private volatile ReadOnlyKeyValueStore<String, byte[]> locations;

    public HerdQueries(KafkaStreams streams, PlacesIndex places) {
        this.streams = streams;
        this.places = places;
    }

    /** The newest location stored for {@code client}, if any node has accepted one. */
    public Optional<Location> location(String client) {
        return Optional.ofNullable(Json.decodeOrNull(locationStore().get(client), Location.class));
    }

    public List<NearbyPlace> nearby(double lat, double lng, double radiusMetres, int limit, PlacesIndex.Rank rank,
                                    java.util.function.Predicate<Place> filter) {
        return places.nearby(lat, lng, radiusMetres, limit, rank, filter);
    }

    public Optional<Place> place(String id) {
        return Optional.ofNullable(places.get(id));
    }

    /** RocksDB's estimate of the number of clients: cheap, for metrics and status. */
    public long approximateClientCount() {
        return locationStore().approximateNumEntries();
    }

    public int placeCount() {
        return places.size();
    }

    private ReadOnlyKeyValueStore<String, byte[]> locationStore() {
        ReadOnlyKeyValueStore<String, byte[]> s = locations;
        if (s == null) {
            s = streams.store(StoreQueryParameters.fromNameAndType(Topics.LOCATION_STORE,
                    QueryableStoreTypes.keyValueStore()));
            locations = s;
        }
        return s;
    }
}
