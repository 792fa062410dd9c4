package org.herd.node.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.herd.node.protocol.Replies;
import org.herd.stream.model.Location;

import java.util.List;

/** The bodies the HTTP API answers with (docs/http.md), as records Jackson writes. */
final class Bodies {
    private Bodies() {
    }

    /** A client's newest location: what the line protocol's AT line says, field by field. */
    record LocationBody(String client, String location, double lat, double lng, String time, String node,
                        String skew, String at) {
        static LocationBody of(Location l) {
            return new LocationBody(l.client(), l.location(), l.lat(), l.lng(), l.clientTime(), l.node(),
                    l.skew(), Replies.at(l));
        }
    }

    /** Places as stored, in the shape of Nearby Search results ({@code POST /v1/places}). */
    record PlacesBody(List<ObjectNode> places) {
    }

    /** {@code GET /health}: {@code UP} or {@code STARTING}. */
    record Health(String status) {
    }

    /** {@code {"error": {"status": 400, "message": "...", "details": [...]}}}: every error looks like this. */
    record ErrorBody(Error error) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Error(int status, String message, List<String> details) {
    }

    /** A page of {@code GET /v1/fences}: the fences, and the {@code after} of the next page (null: the last page). */
    record FencePage(List<ObjectNode> fences, String next) {
    }
}
