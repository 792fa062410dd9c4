package org.herd.node.http;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live map at {@code /map} (docs/http.md): a fixed set of files read from the node's jar once,
 * so nothing outside it is ever served and nothing leaves the machine: the page, its script, the
 * countries of Natural Earth (world-atlas, TopoJSON), topojson-client and Leaflet (its webjar).
 */
final class MapPage {
    private static final String LEAFLET = "/META-INF/resources/webjars/leaflet/1.9.4/dist/";
    private final Map<String, HttpReply> files = new LinkedHashMap<>();

    MapPage() {
        add("", "/map/index.html", "text/html; charset=utf-8");
        add("map.js", "/map/map.js", "text/javascript; charset=utf-8");
        add("countries-110m.json", "/map/countries-110m.json", "application/json");
        add("topojson-client.min.js", "/map/topojson-client.min.js", "text/javascript; charset=utf-8");
        add("NOTICE.md", "/map/NOTICE.md", "text/markdown; charset=utf-8");
        add("leaflet.js", LEAFLET + "leaflet.js", "text/javascript; charset=utf-8");
        add("leaflet.css", LEAFLET + "leaflet.css", "text/css; charset=utf-8");
    }

    private void add(String name, String resource, String contentType) {
        try (InputStream in = MapPage.class.getResourceAsStream(resource)) {
            if (in == null) { // a build that left a file out: say so at start, not as a 404 in a browser
                throw new IllegalStateException("the map's file " + resource + " is not in the node's jar");
            }
            files.put(name, new HttpReply(HttpResponseStatus.OK, contentType, in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code name}: "" for the page itself. */
    HttpReply file(String name) {
        HttpReply f = files.get(name);
        return f != null ? f : HttpReply.error(HttpResponseStatus.NOT_FOUND, "no such file of the map: " + name);
    }
}
