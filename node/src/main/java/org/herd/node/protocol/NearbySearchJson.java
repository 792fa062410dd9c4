package org.herd.node.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.herd.node.service.PlacesAnswer;
import org.herd.stream.model.Json;
import org.herd.stream.model.Place;

import java.io.UncheckedIOException;

/**
 * Responses in the shape of the Google Places API (legacy) Nearby Search:
 * {@code html_attributions}, {@code results}, {@code status}. Written indented like Google's
 * responses; the text never contains an empty line (strings are JSON-escaped, so no raw newline
 * appears inside one).
 */
public final class NearbySearchJson {
    /** GeoNames data is CC BY 4.0: the licence asks for this attribution. */
    public static final String GEONAMES_ATTRIBUTION =
            "Place data from <a href=\"https://www.geonames.org/\">GeoNames</a>, licensed under "
                    + "<a href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a>";

    private static final ObjectWriter PRETTY = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private NearbySearchJson() {
    }

    /** The Nearby Search response that says {@code answer}. */
    public static ObjectNode response(PlacesAnswer answer) {
        if (answer instanceof PlacesAnswer.Failed failed) {
            return error(failed.status(), failed.message());
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode attributions = root.putArray("html_attributions");
        ArrayNode results = root.putArray("results");
        if (answer instanceof PlacesAnswer.Local local) {
            attributions.add(GEONAMES_ATTRIBUTION);
            local.places().forEach(p -> results.add(place(p)));
        } else if (answer instanceof PlacesAnswer.Upstream upstream) {
            attributions.addAll(upstream.attributions());
            results.addAll(upstream.results());
        }
        root.put("status", results.isEmpty() ? "ZERO_RESULTS" : "OK");
        return root;
    }

    /** An error response, e.g. {@code INVALID_REQUEST}, with its {@code error_message}. */
    public static ObjectNode error(String status, String message) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("html_attributions");
        root.putArray("results");
        root.put("status", status);
        root.put("error_message", message);
        return root;
    }

    public static ObjectNode place(Place p) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        ObjectNode location = r.putObject("geometry").putObject("location");
        location.put("lat", p.lat());
        location.put("lng", p.lng());
        r.put("name", p.name());
        r.put("place_id", p.id());
        ArrayNode types = r.putArray("types");
        p.types().forEach(types::add);
        r.put("vicinity", p.vicinity() == null ? "" : p.vicinity());
        if (p.url() != null) {
            r.put("url", p.url());
        }
        return r;
    }

    /** Indented text with no empty line and no trailing newline. */
    public static String write(PlacesAnswer answer) {
        try {
            return PRETTY.writeValueAsString(response(answer));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
