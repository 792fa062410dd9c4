package org.herd.stream.fence;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One event of {@code herd.events} (schemas/fence-event.schema.json), keyed by client id: what a
 * location update did with respect to one fence. The client's fields are as the client sent them.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record FenceEvent(String fence, String detect, String client, String location, double lat, double lng,
                         String time, String node, Previous previous, ObjectNode meta, Source source) {

    /** The client's newest position before this update, as it sent it. */
    public record Previous(String location, double lat, double lng, String time) {
    }

    /** Where the update is in the locations topic. */
    public record Source(String topic, int partition, long offset) {
    }
}
