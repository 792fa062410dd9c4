package org.herd.node.places;

import org.herd.node.service.NearbyQuery;
import org.herd.node.service.PlacesSource;

import org.herd.stream.topology.HerdQueries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.herd.node.service.PlacesAnswer;
import org.herd.stream.geo.Geo;
import org.herd.stream.model.Json;
import org.herd.stream.geo.PlacesIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Nearby places from the Google Places API (legacy) Nearby Search, asked asynchronously with a
 * timeout. Results are cut to the limit and to the radius (Google treats the radius as a bias).
 * When Google fails (timeout, HTTP error, a status other than OK or ZERO_RESULTS), the answer
 * comes from the local index if the fallback is on, else it is an {@code UNKNOWN_ERROR}
 * response. The key is sent to Google only: it never appears in a log line or an answer.
 */
final class GooglePlaces implements PlacesSource {
    private static final Logger log = LoggerFactory.getLogger(GooglePlaces.class);
    private static final Set<String> ANSWERS = Set.of("OK", "ZERO_RESULTS");

    private final URI endpoint;
    private final String key;
    private final Duration timeout;
    private final PlacesSource fallback;
    private final String node;
    private final HttpClient http;

    GooglePlaces(URI endpoint, String key, Duration timeout, PlacesSource fallback, String node) {
        this.endpoint = endpoint;
        this.key = key;
        this.timeout = timeout;
        this.fallback = fallback;
        this.node = node;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public CompletableFuture<PlacesAnswer> nearby(NearbyQuery q, HerdQueries local) {
        StringBuilder query = new StringBuilder()
                .append("location=").append(q.lat()).append(',').append(q.lng());
        if (q.rank() == PlacesIndex.Rank.DISTANCE) {
            query.append("&rankby=distance");
        } else {
            query.append("&radius=").append(Math.round(q.radiusMetres()));
        }
        if (q.type() != null) {
            query.append("&type=").append(encode(q.type()));
        }
        if (q.keyword() != null) {
            query.append("&keyword=").append(encode(q.keyword()));
        }
        String withoutKey = query.toString();
        HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint + "?" + withoutKey + "&key=" + encode(key)))
                .timeout(timeout).GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(res -> {
                    if (res.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + res.statusCode());
                    }
                    JsonNode body = Json.decodeOrNull(res.body(), JsonNode.class);
                    if (body == null || !body.isObject()) {
                        throw new IllegalStateException("the answer is not a JSON object");
                    }
                    String status = body.path("status").asText("");
                    if (!ANSWERS.contains(status)) {
                        throw new IllegalStateException("status " + status);
                    }
                    return trim((ObjectNode) body, q);
                })
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause() : e;
                    // the request URI holds the key: log only what was asked, never the URI
                    log.warn("node {}: Google Places failed for {} ({}); {}", node, withoutKey, cause.toString(),
                            fallback != null ? "answering from the local index" : "answering UNKNOWN_ERROR");
                    return fallback != null ? fallback.nearby(q, local)
                            : CompletableFuture.completedFuture(new PlacesAnswer.Failed("UNKNOWN_ERROR",
                            "the upstream Places service did not answer"));
                });
    }

    /** Keeps at most {@code limit} results, only those within the radius (when it applies). */
    private static PlacesAnswer trim(ObjectNode body, NearbyQuery q) {
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode r : body.path("results")) {
            if (kept.size() >= q.limit()) {
                break;
            }
            JsonNode loc = r.path("geometry").path("location");
            boolean inside = q.rank() == PlacesIndex.Rank.DISTANCE || !loc.has("lat")
                    || Geo.distanceMetres(q.lat(), q.lng(), loc.get("lat").asDouble(), loc.get("lng").asDouble())
                    <= q.radiusMetres();
            if (inside) {
                kept.add(r);
            }
        }
        List<JsonNode> attributions = new ArrayList<>();
        body.path("html_attributions").forEach(attributions::add);
        return new PlacesAnswer.Upstream(kept, attributions);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
