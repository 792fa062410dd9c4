package org.herd.node.http;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Metric labels come from a fixed set whatever is requested; numbers in bodies are bounded before use. */
class RoutesAndBodiesTest {
    @ParameterizedTest
    @CsvSource({
            "GET, /health, GET /health",
            "GET, /metrics?x=1, GET /metrics",
            "POST, /v1/locations, POST /v1/locations",
            "GET, /v1/locations/kiwi.cs.ucla.edu, GET /v1/locations/{client}",
            "GET, /v1/locations/kiwi/nearby?radius=5, GET /v1/locations/{client}/nearby",
            "GET, /v1/locations/kiwi/elsewhere, GET unmatched",
            "DELETE, /v1/places/news:1, DELETE /v1/places/{id}",
            "GET, '/maps/api/place/nearbysearch/json?location=1,2&radius=5', GET /maps/api/place/nearbysearch/json",
            "GET, /attack/12345, GET unmatched",
            "GET, /a/b/c/d/e/f/g/h, GET unmatched",
            "BREW, /coffee, OTHER unmatched",
            "PATCH, /v1/places, OTHER /v1/places"})
    void routesComeFromAFixedSet(String method, String uri, String route) {
        PublicApi api = new PublicApi(null, java.time.Clock.systemUTC(), () -> true, new org.herd.node.telemetry.NodeMetrics("test"));
        assertThat(api.route(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri)))
                .isEqualTo(route);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"time\": 1e300000000}", "{\"time\": 1e-300000000}", "[1, 2, 1E401]", "{\"a\": {\"b\": [0.1e-500]}}",
            "{\"time\": 12345678901234567890123456789012345678901234567890123456789012345}"})
    void hugeOrTinyNumbersAreRejectedBeforeTheyAreExpanded(String body) {
        assertThatThrownBy(() -> JsonBody.parse(body)).isInstanceOf(BadRequest.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"time\": 1621464827.959498503}", "{\"lat\": -90, \"lng\": 1.5e2}", "[1e308]"})
    void ordinaryNumbersPass(String body) {
        assertThat(JsonBody.parse(body)).isNotNull();
    }
}
