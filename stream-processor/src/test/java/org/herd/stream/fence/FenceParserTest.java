package org.herd.stream.fence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.herd.stream.model.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a fence body may hold, and the whole list of problems when it is wrong. */
class FenceParserTest {
    private final FenceParser parser = new FenceParser(10);

    private FenceParser.Parsed parse(String id, String json) throws IOException {
        return parser.parse(id, (ObjectNode) Json.MAPPER.readTree(json));
    }

    private List<String> problems(String id, String json) throws IOException {
        FenceParser.Parsed r = parse(id, json);
        assertThat(r).isInstanceOf(FenceParser.Rejected.class);
        return ((FenceParser.Rejected) r).problems();
    }

    @Test
    void aCircleWithDefaultsIsValidAndRoundTripsThroughItsJson() throws IOException {
        FenceParser.Parsed r = parse("ucla", "{\"circle\": {\"lat\": 34.07, \"lng\": -118.44, \"radius\": 500}}");
        Fence f = ((FenceParser.Valid) r).fence();
        assertThat(f.detect()).containsExactlyInAnyOrder(Fence.Detect.ENTER, Fence.Detect.EXIT);
        assertThat(f.match()).isEqualTo("*");
        assertThat(f.meta()).isNull();
        assertThat(parser.parseRecord("ucla", f.encode())).isEqualTo(r);
        assertThat(f.toJson().toString()).isEqualTo(
                "{\"id\":\"ucla\",\"circle\":{\"lat\":34.07,\"lng\":-118.44,\"radius\":500.0},\"detect\":[\"enter\",\"exit\"],\"match\":\"*\",\"meta\":null}");
    }

    @Test
    void everyProblemIsListed() throws IOException {
        assertThat(problems("bad id!", """
                {"circle": {"lat": 91, "lng": -181, "radius": 0, "colour": "red"},
                 "detect": ["enter", "cross"], "match": "", "meta": [1], "owner": "me"}"""))
                .containsExactlyInAnyOrder(
                        "fence id must be 1 to 128 characters of letters, digits, '-', '.', '_' or '~'",
                        "unknown field 'owner' (a fence has circle or polygon, detect, match, meta)",
                        "unknown field 'circle.colour' (a circle has lat, lng, radius)",
                        "circle.lat must be a number from -90 to 90",
                        "circle.lng must be a number from -180 to 180",
                        "circle.radius must be a number of metres > 0 and at most 50000",
                        "detect must be a non-empty array of \"enter\", \"exit\" and \"inside\", not \"cross\"",
                        "match must be a glob of 1 to 256 characters ('*' any run, '?' one character)",
                        "meta must be a JSON object");
    }

    @Test
    void aFenceHasExactlyOneShape() throws IOException {
        assertThat(problems("f", "{}")).containsExactly("a fence has exactly one of 'circle' and 'polygon'");
        assertThat(problems("f", "{\"circle\": {\"lat\": 1, \"lng\": 1, \"radius\": 1}, "
                + "\"polygon\": {\"type\": \"Polygon\", \"coordinates\": []}}"))
                .containsExactly("a fence has exactly one of 'circle' and 'polygon'");
    }

    @Test
    void ringsMustBeClosedAndLongEnough() throws IOException {
        assertThat(problems("f", "{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[0,0],[1,0],[1,1],[0,1]]]}}"))
                .containsExactly("polygon.coordinates[0] is not closed: its last position must equal its first");
        assertThat(problems("f", "{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[0,0],[1,0],[0,0]]]}}"))
                .containsExactly("polygon.coordinates[0] must be an array of at least 4 positions [lng, lat], the last equal to the first");
    }

    @Test
    void selfIntersectingPolygonsAreRefusedWithWhere() throws IOException {
        List<String> p = problems("f", "{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}");
        assertThat(p).hasSize(1);
        assertThat(p.get(0)).startsWith("polygon is not valid: Self-intersection at or near [1.0, 1.0]");
    }

    @Test
    void coordinatesOutOfRangeAndTooManyVerticesAreRefused() throws IOException {
        assertThat(problems("f", "{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[0,0],[200,0],[1,1],[0,0]]]}}"))
                .containsExactly("polygon.coordinates[0][1] must be a position [lng, lat] (or [lng, lat, height]) of numbers, lng from -180 to 180 and lat from -90 to 90");
        assertThat(problems("f", "{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": "
                + "[[[0,0],[1,0],[2,0],[3,0],[4,0],[5,0],[5,1],[4,1],[3,1],[2,1],[1,1],[0,0]]]}}"))
                .containsExactly("polygon has 12 positions; at most 10 are allowed");
    }

    @Test
    void metaIsAtMostFourKibibytes() throws IOException {
        String big = "x".repeat(4100);
        assertThat(problems("f", "{\"circle\": {\"lat\": 1, \"lng\": 1, \"radius\": 1}, \"meta\": {\"a\": \"" + big + "\"}}"))
                .containsExactly("meta must be at most 4096 bytes of JSON");
    }

    @Test
    void aRecordsIdMustBeItsKey() throws IOException {
        FenceParser.Parsed r = parser.parseRecord("a", "{\"id\": \"b\", \"circle\": {\"lat\": 1, \"lng\": 1, \"radius\": 1}}".getBytes());
        assertThat(((FenceParser.Rejected) r).problems()).contains("id must equal the record's key");
        assertThat(parser.parseRecord("a", "nope".getBytes())).isEqualTo(new FenceParser.Rejected(List.of("not JSON")));
    }

    @Test
    void globsMatchStarAndQuestionMarkOnly() {
        assertThat(Glob.of("truck-*").matches("truck-12")).isTrue();
        assertThat(Glob.of("truck-?").matches("truck-12")).isFalse();
        assertThat(Glob.of("a.b").matches("axb")).isFalse();
        assertThat(Glob.of("[x]*").matches("[x]yz")).isTrue();
    }
}
