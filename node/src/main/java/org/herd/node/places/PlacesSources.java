package org.herd.node.places;

import org.herd.node.service.PlacesSource;

import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;

import java.net.URI;

/** Chooses where nearby places come from: the local index, or Google when a key is configured. */
public final class PlacesSources {
    private PlacesSources() {
    }

    public static PlacesSource fromConfig(HerdConfig config, String node) {
        LocalPlaces local = new LocalPlaces();
        String key = config.get(Settings.PLACES_GOOGLE_API_KEY);
        if (key.isBlank()) {
            return local;
        }
        String fallback = config.get(Settings.PLACES_GOOGLE_FALLBACK);
        return new GooglePlaces(URI.create(config.get(Settings.PLACES_GOOGLE_URL)), key,
                config.get(Settings.PLACES_GOOGLE_TIMEOUT), fallback.equals("local") ? local : null, node);
    }
}
