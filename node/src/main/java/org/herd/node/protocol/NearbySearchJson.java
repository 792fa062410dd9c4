package org.herd.node.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import org.herd.stream.NearbyPlace;
import org.herd.stream.Place;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes a response in the shape of the Google Places API (legacy) Nearby Search:
 * {@code html_attributions}, {@code results}, {@code status}. Indented like Google's responses;
 * it never contains an empty line (strings are JSON-escaped, so no raw newline can appear).
 */
public final class NearbySearchJson {
    /** GeoNames data is CC BY 4.0: the licence asks for this attribution. */
    public static final String GEONAMES_ATTRIBUTION =
            "Place data from <a href=\"https://www.geonames.org/\">GeoNames</a>, licensed under "
                    + "<a href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a>";

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    private NearbySearchJson() {
    }

    public static String write(List<NearbyPlace> results) {
        StringWriter out = new StringWriter(256 + results.size() * 320);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(PRETTY);
            g.writeStartObject();
            g.writeArrayFieldStart("html_attributions");
            g.writeString(GEONAMES_ATTRIBUTION);
            g.writeEndArray();
            g.writeArrayFieldStart("results");
            for (NearbyPlace n : results) {
                writePlace(g, n.place());
            }
            g.writeEndArray();
            g.writeStringField("status", results.isEmpty() ? "ZERO_RESULTS" : "OK");
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writePlace(JsonGenerator g, Place p) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("geometry");
        g.writeObjectFieldStart("location");
        g.writeNumberField("lat", p.lat());
        g.writeNumberField("lng", p.lng());
        g.writeEndObject();
        g.writeEndObject();
        g.writeStringField("name", p.name());
        g.writeStringField("place_id", p.id());
        g.writeArrayFieldStart("types");
        for (String t : p.types()) {
            g.writeString(t);
        }
        g.writeEndArray();
        g.writeStringField("vicinity", p.vicinity() == null ? "" : p.vicinity());
        if (p.url() != null) {
            g.writeStringField("url", p.url());
        }
        g.writeEndObject();
    }
}
