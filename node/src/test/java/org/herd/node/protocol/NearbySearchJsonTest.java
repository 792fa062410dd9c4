package org.herd.node.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.model.Json;
import org.herd.stream.model.NearbyPlace;
import org.herd.node.service.PlacesAnswer;
import org.herd.stream.model.Place;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NearbySearchJsonTest {

    @Test
    void hasThePlacesApiShapeAndNoEmptyLine() throws Exception {
        Place p = new Place("gn:1", "Line\n\nbreaks \"quoted\"", 1.5, -2.25, "Somewhere, XX",
                List.of("locality", "political"), 10, null);
        String json = NearbySearchJson.write(new PlacesAnswer.Local(List.of(p)));
        assertThat(json).doesNotContain("\n\n").doesNotEndWith("\n");
        JsonNode root = Json.MAPPER.readTree(json);
        assertThat(root.get("status").asText()).isEqualTo("OK");
        assertThat(root.get("html_attributions").get(0).asText()).contains("GeoNames");
        JsonNode r = root.get("results").get(0);
        assertThat(r.get("name").asText()).isEqualTo("Line\n\nbreaks \"quoted\"");
        assertThat(r.get("place_id").asText()).isEqualTo("gn:1");
        assertThat(r.at("/geometry/location/lat").asDouble()).isEqualTo(1.5);
        assertThat(r.at("/geometry/location/lng").asDouble()).isEqualTo(-2.25);
        assertThat(r.get("vicinity").asText()).isEqualTo("Somewhere, XX");
        assertThat(r.get("types")).hasSize(2);
    }

    @Test
    void noResultsIsZeroResults() throws Exception {
        JsonNode root = Json.MAPPER.readTree(NearbySearchJson.write(new PlacesAnswer.Local(List.of())));
        assertThat(root.get("status").asText()).isEqualTo("ZERO_RESULTS");
        assertThat(root.get("results")).isEmpty();
    }
}
