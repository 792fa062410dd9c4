package org.herd.node.places;

import org.herd.node.service.PlacesSource;

import org.herd.node.config.HerdConfig;

import java.net.URI;

/** Chooses where nearby places come from: the local index, or Google when a key is configured. */
public final class PlacesSources {
    private PlacesSources() {
    }

    public static PlacesSource fromConfig(HerdConfig config, String node) {
        LocalPlaces local = new LocalPlaces();
        String key = config.placesGoogleApiKey();
        if (key.isBlank()) {
            return local;
        }
        String fallback = config.placesGoogleFallback();
        if (!fallback.equals("local") && !fallback.equals("error")) {
            throw new IllegalArgumentException("places.google.fallback must be local or error, not " + fallback);
        }
        return new GooglePlaces(URI.create(config.placesGoogleUrl()), key,
                config.placesGoogleTimeout(), fallback.equals("local") ? local : null, node);
    }
}
