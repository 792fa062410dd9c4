package org.herd.stream.geo;

import org.herd.stream.model.NearbyPlace;
import org.herd.stream.model.Place;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PlacesIndexTest {
    private static Place place(String id, double lat, double lng, long prominence) {
        return new Place(id, id, lat, lng, "", List.of("locality"), prominence, null);
    }

    @Test
    void everyResultIsWithinTheRadiusAndNothingWithinIsMissed() {
        PlacesIndex index = new PlacesIndex();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 5000; i++) {
            index.upsert(place("p" + i, 33 + random.nextDouble() * 2, -119 + random.nextDouble() * 2, i));
        }
        double lat = 34.07, lng = -118.45, radius = 20_000;
        List<NearbyPlace> found = index.nearby(lat, lng, radius, Integer.MAX_VALUE, PlacesIndex.Rank.DISTANCE);
        long expected = 0;
        for (int i = 0; i < 5000; i++) {
            Place p = index.get("p" + i);
            if (Geo.distanceMetres(lat, lng, p.lat(), p.lng()) <= radius) {
                expected++;
            }
        }
        assertThat(found).hasSize((int) expected).isNotEmpty()
                .allSatisfy(n -> assertThat(n.distanceMetres()).isLessThanOrEqualTo(radius));
        assertThat(found).isSortedAccordingTo(java.util.Comparator.comparingDouble(NearbyPlace::distanceMetres));
    }

    @Test
    void prominenceRanksFirstThenDistance() {
        PlacesIndex index = new PlacesIndex();
        index.upsert(place("near-small", 0.001, 0, 10));
        index.upsert(place("far-big", 0.1, 0, 1000));
        index.upsert(place("far-small", 0.2, 0, 10));
        assertThat(index.nearby(0, 0, 50_000, 3, PlacesIndex.Rank.PROMINENCE))
                .extracting(n -> n.place().id()).containsExactly("far-big", "near-small", "far-small");
        assertThat(index.nearby(0, 0, 50_000, 2, PlacesIndex.Rank.DISTANCE))
                .extracting(n -> n.place().id()).containsExactly("near-small", "far-big");
    }

    @Test
    void findsPlacesAcrossTheAntimeridianAndNearThePoles() {
        PlacesIndex index = new PlacesIndex();
        index.upsert(place("east", -16.5, 179.99, 1));
        index.upsert(place("west", -16.5, -179.99, 1));
        index.upsert(place("pole", 89.99, 100, 1));
        assertThat(index.nearby(-16.5, 179.999, 10_000, 5, PlacesIndex.Rank.DISTANCE))
                .extracting(n -> n.place().id()).containsExactlyInAnyOrder("east", "west");
        assertThat(index.nearby(89.995, -80, 10_000, 5, PlacesIndex.Rank.DISTANCE))
                .extracting(n -> n.place().id()).containsExactly("pole");
    }
}
