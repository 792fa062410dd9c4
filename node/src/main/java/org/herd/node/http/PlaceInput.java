package org.herd.node.http;

import org.herd.stream.model.Problems;
import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.model.Place;
import org.herd.stream.model.PlaceRules;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads places and news items posted by producers (docs/http.md): one JSON object, or an array of
 * at most {@value #MAX_BATCH}. Every problem in a batch is reported and nothing is published
 * unless every item is valid.
 */
final class PlaceInput {
    static final int MAX_BATCH = 1000;
    static final int MAX_TYPES = 10;
    static final int MAX_VICINITY = 512;
    static final int MAX_URL = 2048;
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final List<String> FIELDS = List.of("id", "name", "lat", "lng", "vicinity", "types", "prominence", "url");

    private PlaceInput() {
    }

    /** Parses a body of one place or an array of places; {@code pathId}, if given, is the id in the URL. */
    static List<Place> parseBatch(String body, String pathId) {
        JsonNode root = JsonBody.parse(body);
        List<JsonNode> items = new ArrayList<>();
        if (root.isArray() && pathId == null) {
            root.forEach(items::add);
            if (items.isEmpty()) {
                throw new BadRequest("the batch is empty");
            }
            if (items.size() > MAX_BATCH) {
                throw new BadRequest("a batch holds at most " + MAX_BATCH + " places; this one has " + items.size());
            }
        } else if (root.isObject()) {
            items.add(root);
        } else {
            throw new BadRequest(pathId == null ? "the body must be a place object or an array of them"
                    : "the body must be a place object");
        }
        List<String> problems = new Problems();
        List<Place> places = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String where = items.size() == 1 && !root.isArray() ? "" : "[" + i + "]";
            Place p = place(items.get(i), pathId, where, problems);
            if (p != null) {
                places.add(p);
            }
        }
        if (!problems.isEmpty()) {
            throw new BadRequest("invalid place" + (items.size() > 1 ? "s; nothing was stored" : ""), problems);
        }
        return places;
    }

    static void requireId(String id) {
        if (!PlaceRules.isValidId(id)) {
            throw new BadRequest("invalid place id: 1 to " + PlaceRules.MAX_ID_LENGTH
                    + " characters, no white space or control characters");
        }
    }

    private static Place place(JsonNode n, String pathId, String where, List<String> problems) {
        if (!n.isObject()) {
            problems.add(where + ": must be an object");
            return null;
        }
        long before = Problems.count(problems);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                problems.add(where + "." + f + ": unknown field; the fields are " + FIELDS);
            }
        }
        String id = optionalText(n, "id", where, problems);
        if (pathId != null) {
            if (id != null && !id.equals(pathId)) {
                problems.add(where + ".id: differs from the id in the URL");
            }
            id = pathId;
        }
        if (id == null) {
            id = "p:" + UUID.randomUUID();
        } else if (!PlaceRules.isValidId(id) || id.startsWith(" ")) {
            problems.add(where + ".id: 1 to " + PlaceRules.MAX_ID_LENGTH + " characters, no white space or control characters");
        }
        String name = optionalText(n, "name", where, problems);
        if (name == null || name.isBlank() || name.length() > PlaceRules.MAX_NAME_LENGTH) {
            problems.add(where + ".name: required, 1 to " + PlaceRules.MAX_NAME_LENGTH + " characters");
        }
        double lat = number(n, "lat", 90, where, problems);
        double lng = number(n, "lng", 180, where, problems);
        String vicinity = optionalText(n, "vicinity", where, problems);
        if (vicinity != null && vicinity.length() > MAX_VICINITY) {
            problems.add(where + ".vicinity: at most " + MAX_VICINITY + " characters");
        }
        List<String> types = new ArrayList<>();
        JsonNode t = n.get("types");
        if (t == null || t.isNull()) {
            types.add("point_of_interest");
        } else if (!t.isArray() || t.size() > MAX_TYPES) {
            problems.add(where + ".types: an array of at most " + MAX_TYPES + " types");
        } else {
            for (JsonNode type : t) {
                if (!type.isTextual() || !TYPE.matcher(type.asText()).matches()) {
                    problems.add(where + ".types: each type is lower-case letters, digits and _, e.g. \"news\"");
                } else {
                    types.add(type.asText());
                }
            }
        }
        long prominence = 0;
        JsonNode pr = n.get("prominence");
        if (pr != null && !pr.isNull()) {
            if (!pr.canConvertToLong() || !pr.isIntegralNumber() || pr.asLong() < 0) {
                problems.add(where + ".prominence: a whole number, 0 or more");
            } else {
                prominence = pr.asLong();
            }
        }
        String url = optionalText(n, "url", where, problems);
        if (url != null && (url.length() > MAX_URL || !(url.startsWith("https://") || url.startsWith("http://")))) {
            problems.add(where + ".url: an http or https URL of at most " + MAX_URL + " characters");
        }
        if (Problems.count(problems) > before) {
            return null;
        }
        return new Place(id, name, lat, lng, vicinity == null ? "" : vicinity, types, prominence, url);
    }

    private static String optionalText(JsonNode n, String field, String where, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(where + "." + field + ": must be a string");
            return null;
        }
        return v.asText();
    }

    private static double number(JsonNode n, String field, double bound, String where, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || Math.abs(v.asDouble()) > bound) {
            problems.add(where + "." + field + ": required, a number from -" + (int) bound + " to " + (int) bound);
            return 0;
        }
        return v.asDouble();
    }
}
